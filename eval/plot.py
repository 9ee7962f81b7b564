"""One PNG per eval run: retrieval and answer rates per group, as grouped bars."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

RATES = ["recall@1", "recall@5", "right_report@1", "accuracy", "citation_support"]


def plot_groups(summaries: dict[str, dict], path: Path, title: str) -> Path:
    names = list(summaries)
    width = 0.8 / len(RATES)
    fig, ax = plt.subplots(figsize=(max(8, 1.3 * len(names)), 4.5))
    for i, rate in enumerate(RATES):
        values = [float("nan") if summaries[n][rate] is None else summaries[n][rate] for n in names]  # n/a: no bar
        ax.bar([x + i * width for x in range(len(names))], values, width, label=rate)
    ax.set_xticks([x + width * (len(RATES) - 1) / 2 for x in range(len(names))],
                  [f"{n}\n(n={summaries[n]['n']})" for n in names], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.axhline(0.95, color="grey", linestyle=":", linewidth=1)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=len(RATES), loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
