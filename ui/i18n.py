"""Interface text in Chinese and English. Hand-written rather than gr.I18n: gr.I18n translates static labels in
the browser only, while answers, source cards and status lines are rendered in Python and switch with them."""
from __future__ import annotations

from assistant.export import LABELS

LANGS = [("中文", "zh"), ("English", "en")]

TEXT: dict[str, tuple[str, str]] = {  # key: (English, Chinese)
    # the answer's status and source labels, the same as in an exported answer (assistant/export.py)
    **{key: LABELS[key] for key in ("not_found", "clarify", "uncertain", "sources", "chars")},
    "title": ("## Government work report Q&A · 政务报告问答\nAsk in Chinese or English. Every answer quotes the passage "
              "it rests on, with its report and year; figures are checked against the quotes.",
              "## 政务报告问答 · Government work report Q&A\n可用中文或英文提问。每个答案都引用其依据的原文段落，并注明报告和年份；"
              "答案中的数字均与引文逐字核对。"),
    "tab_chat": ("Ask", "问答"),
    "tab_library": ("Library", "报告库"),
    "tab_eval": ("Evaluation", "评测"),
    "reader_find": ("Find in this report", "在本报告中查找"),
    "reader_find_hint": ("a word or a figure, e.g. 12345", "词语或数字，如 12345"),
    "reader_found": ("{n} matches (marked)", "找到 {n} 处（已标出）"),
    "reader_none_found": ("Not in this report.", "本报告中没有。"),
    "reader_pick_first": ("Choose a report first.", "请先选择报告。"),
    "reader_link_gone": ("This reader link names no report of this library (it was removed, or the link is wrong). Pick "
                         "a report below.", "该阅读链接所指的报告不在本资料库中（已被移除，或链接有误）。请在下方选择报告。"),
    "chat": ("Conversation", "对话"),
    "chat_placeholder": ("**Ask about the reports** — type a question below or click an example. Answers cite their "
                         "passages [n]; click a marker or a card to see the quote in its paragraph.",
                         "**就报告内容提问**——在下方输入问题或点击示例。答案以 [n] 标注出处，点击标注或卡片即可查看原文段落。"),
    "question": ("Question", "问题"),
    "placeholder": ("e.g. How many one-matter items did Shenzhen launch in 2025?", "例如：深圳市2025年上线了多少个“高效办成一件事”？"),
    "ask": ("Ask", "提问"),
    "new_chat": ("New chat", "新对话"),
    "scope": ("### Scope", "### 检索范围"),
    "filter_reports": ("Reports", "报告"),
    "filter_bureaus": ("Bureaus", "机构"),
    "filter_years": ("Years", "年份"),
    "filter_info": ("Leave empty to search every report.", "留空则检索全部报告。"),
    "clear_filters": ("Clear filters", "清除筛选"),
    "reset_context": ("Reset follow-up context", "重置上下文"),
    "filter_all": ("Searching all {n} reports.", "检索全部 {n} 份报告。"),
    "filter_some": ("Searching {k} of {n} reports: {names}", "检索 {k}/{n} 份报告：{names}"),
    "filter_none": ("No report matches these filters; change or clear them.", "没有符合筛选条件的报告，请修改或清除筛选。"),
    "context_none": ("**Context:** nothing assumed yet — name a bureau and year, or ask and follow up.",
                     "**上下文：** 暂无假定——可在问题中指明机构和年份，或先提问再追问。"),
    "context": ("**Context (follow-ups keep it):** {parts}", "**当前上下文（追问时沿用）：** {parts}"),
    "ctx_bureau": ("bureau {v}", "机构 {v}"),
    "ctx_level": ("level {v}", "级别 {v}"),
    "ctx_year": ("year {v}", "年份 {v}"),
    "ctx_carried": ("kept from the previous turn: {v}", "沿用上一问：{v}"),
    "part_bureau": ("bureau", "机构"),
    "part_year": ("year", "年份"),
    "part_topic": ("question", "问题"),
    "part_subject": ("subject", "话题"),
    "ctx_reset": ("**Context reset.** The next question starts fresh.", "**上下文已重置。** 下一个问题将重新开始。"),
    "answered": ("Answer", "答案"),
    "pick_report": ("Pick a report:", "选择报告："),
    "try_report": ("Ask one of these reports:", "改问以下报告："),
    "related": ("Related passages — not an answer", "相关段落——并非答案"),
    "section": ("Section", "章节"),
    "uploaded": ("uploaded", "用户上传"),
    # the Library's coded values (ui/library.py; "uploaded" above serves both)
    "city": ("city", "市级"), "district": ("district", "区级"), "original": ("original", "原始"),
    # the Library's and the Evaluation's column names
    "col_id": ("id", "编号"), "col_title": ("title", "标题"), "col_bureau": ("bureau", "机构"),
    "col_region": ("region", "地区"), "col_level": ("level", "级别"), "col_year": ("year", "年份"),
    "col_published": ("published", "发布日期"), "col_chunks": ("chunks", "片段数"), "col_file": ("file", "文件"),
    "col_source": ("source", "来源"), "col_group": ("group", "分组"), "col_n": ("n", "题数"),
    "col_recall@1": ("recall@1", "首位召回"), "col_recall@5": ("recall@5", "前五召回"),
    "col_right_report@1": ("right_report@1", "首位报告正确"), "col_accuracy": ("accuracy", "准确率"),
    "col_wrong_answer": ("wrong_answer", "错答率"), "col_uncertain": ("uncertain", "不确定"),
    "col_citation_support": ("citation_support", "引用支持"), "col_grounded": ("grounded", "数字有据"),
    "col_refusal": ("refusal", "正确拒答"), "col_false_refusal": ("false_refusal", "误拒"),
    "col_p50_ms": ("p50_ms", "p50 毫秒"), "col_p95_ms": ("p95_ms", "p95 毫秒"),
    "uploaded_hint": ("Added by a user of this app, not one of the curated original reports",
                      "由本应用的用户添加，并非收录的原始报告"),
    "open_reader": ("Open in reader", "在阅读器中打开"),
    "thinking": ("Searching the reports…", "正在检索报告…"),
    "composing": ("Composing the answer from these passages…", "正在根据以下段落组织答案…"),
    "understood": ("Understood: {parts}", "理解为：{parts}"),
    "u_all": ("every report", "全部报告"),
    "u_reports": ("{n} matching reports", "{n} 份符合的报告"),
    "u_report": ("1 matching report", "1 份符合的报告"),
    "u_in_en": ("answer in English", "以英文作答"),
    "u_in_zh": ("answer in Chinese", "以中文作答"),
    "u_filter": ("your filter: {n} reports", "筛选：{n} 份报告"),
    "reading": ("Reading", "正在阅读"),
    **{f"kind_{kind}": names for kind, names in {
        "figure": ("a figure", "数字"), "date": ("a date", "日期"), "comparison": ("a comparison", "比较"),
        "yesno": ("a yes/no question", "是非题"), "definition": ("a definition", "定义"),
        "summary": ("a summary", "概述"), "list": ("a list", "列举"), "text": ("a passage", "段落")}.items()},
    "error": ("⚠️ {e}", "⚠️ {e}"),
    "failed": ("Answering failed ({e}). Nothing was saved; try again (↻) in a moment.",
               "作答失败（{e}）。未保存任何内容，请稍后重试（↻）。"),
    "library_md": ("### Reports in the index", "### 已索引的报告"),
    "reader_md": ("### Reader", "### 阅读器"),
    "reader_pick": ("Report", "报告"),
    "reader_empty": ("Pick a report, or open one from a source card.", "请选择报告，或从出处卡片中打开。"),
    "upload_md": ("### Add a report\nUpload a .txt, .md, .html, .docx or text-layer .pdf file (at most {mb} MB). The "
                  "metadata below is read off the text: check it, then add.",
                  "### 添加报告\n上传 .txt、.md、.html、.docx 或带文本层的 .pdf 文件（不超过 {mb} MB）。下方元数据由正文自动识别，请核对后添加。"),
    "upload": ("Report file", "报告文件"),
    "m_title": ("Title", "标题"),
    "m_title_en": ("Title (English)", "英文标题"),
    "m_bureau": ("Bureau", "机构"),
    "m_bureau_en": ("Bureau (English)", "机构英文名"),
    "m_region": ("Region", "地区"),
    "m_region_en": ("Region (English)", "地区英文名"),
    "m_level": ("Level", "级别"),
    "m_year": ("Year covered", "报告年度"),
    "m_published": ("Published", "发布日期"),
    "m_notes": ("Notes", "备注"),
    "preview": ("Text read from the file", "从文件读取的正文"),
    "add": ("Add to library and index", "添加并建立索引"),
    "confirm_same": ("Add even if the library has a report of this bureau and year",
                     "即使库中已有同一机构同一年度的报告，仍然添加"),
    "confirm_same_hint": ("Check that this is a different report (a revised edition, say), tick the box above the "
                          "button and add again.", "请确认这是另一份报告（例如修订版），勾选按钮上方的选项后再添加。"),
    "admin_password": ("Admin password", "管理员密码"),
    "admin_wrong": ("Wrong admin password: nothing was changed.", "管理员密码错误，未做任何更改。"),
    "admin_required": ("Adding reports and running evaluations are turned off when the app listens on a public address; "
                       "set GOVQA_ADMIN_PASSWORD to allow them.", "应用在公开地址上运行时，添加报告和运行评测已关闭；"
                       "设置 GOVQA_ADMIN_PASSWORD 后方可使用。"),
    "upload_ready": ("Read {chars} characters from {name}. Check the metadata, then add.",
                     "已从 {name} 读取 {chars} 个字符。请核对元数据后添加。"),
    "upload_first": ("Upload a file first.", "请先上传文件。"),
    # why an upload is refused (index/ingest.py UploadError keys)
    "upload_type": ("{name}: {suffix} files are not accepted; upload one of {types}.",
                    "{name}：不接受 {suffix} 文件；请上传以下格式之一：{types}。"),
    "upload_size": ("{name}: {mb} MB is over the {limit} MB limit.", "{name}：{mb} MB，超过 {limit} MB 的上限。"),
    "upload_unreadable": ("{name}: could not be read as {suffix}; the file may be damaged or not really a {suffix} file.",
                          "{name}：无法按 {suffix} 格式读取，文件可能已损坏，或并非真正的 {suffix} 文件。"),
    "upload_short": ("fewer than {least} characters of text.", "文字少于 {least} 个字符。"),
    "upload_short_pdf": ("fewer than {least} characters of text (a scanned PDF has no text layer; run OCR first).",
                         "文字少于 {least} 个字符（扫描版 PDF 没有文字层，请先做文字识别）。"),
    "upload_binary": ("this is not text ({odd} control or undecodable characters); upload the report as text.",
                      "这不是文本（含 {odd} 个控制字符或无法解码的字符）；请上传文本格式的报告。"),
    "upload_required": ("Required: {fields}.", "请填写：{fields}。"),
    "upload_not_docx": ("{name}: not a .docx file (not a zip archive).", "{name}：不是 .docx 文件（不是 zip 压缩包）。"),
    "upload_unpacked": ("{name}: unpacks to {mb} MB, over the {limit} MB limit.", "{name}：解压后 {mb} MB，超过 {limit} MB 的上限。"),
    "upload_encrypted": ("{name}: the PDF is encrypted; upload a copy without a password.",
                         "{name}：PDF 已加密；请上传未加密的副本。"),
    "upload_pages": ("{name}: {pages} pages, over the {limit}-page limit.", "{name}：共 {pages} 页，超过 {limit} 页的上限。"),
    "upload_same": ("Report {id} ({title}) is already this bureau's report for {year}.",
                    "资料库中已有该机构 {year} 年的报告：{id}（{title}）。"),
    "upload_duplicate": ("This text is already in the library as report {id} ({title}).",
                         "该文本已在资料库中：报告 {id}（{title}）。"),
    "upload_near_copy": ("{shared} of this text's {paragraphs} paragraphs are already in report {id} ({title}); a near-copy "
                         "is not added.", "该文本 {paragraphs} 段中有 {shared} 段已在报告 {id}（{title}）中；近似副本不予添加。"),
    "upload_year": ("{year} is not a report year: enter the year the report covers.", "{year} 不是有效的报告年份：请填写报告所属年份。"),
    "upload_id_taken": ("Report id {id} is already taken.", "报告编号 {id} 已被使用。"),
    "upload_file_taken": ("A file named {file} is already in the library's folder.", "资料库文件夹中已有名为 {file} 的文件。"),
    "upload_encoding": ("{name}: the text is neither UTF-8 nor GB18030; save it in one of them.",
                        "{name}：文本编码既不是 UTF-8 也不是 GB18030，请以其中一种编码保存。"),
    "upload_invalid": ("Some metadata is not valid ({problems}).", "部分元数据无效（{problems}）。"),
    "upload_index_failed": ("Indexing the report failed ({problem}); the library is unchanged.",
                            "报告索引失败（{problem}），资料库未做任何更改。"),
    "upload_busy": ("Another add is running; try again when it has finished.", "另一项添加正在进行，请在其完成后重试。"),
    "login": ("This assistant is private: enter its password (any user name).", "本助手不公开：请输入密码（用户名任意）。"),
    "read_only": ("This library is read-only (its data or corpus folder cannot be written): questions are answered, "
                  "reports cannot be added here.", "本资料库为只读（数据或语料文件夹不可写入）：可以提问，但不能在此添加报告。"),
    "added": ("Added report {id} ({title}): {chunks} chunks indexed in {s:.1f} s. It can be asked about now.",
              "已添加报告 {id}（{title}）：{s:.1f} 秒内索引 {chunks} 个片段，现在即可提问。"),
    "indexing": ("Indexing", "正在索引"),
    "eval_md": ("### Evaluation\nRuns a question set through the same path as the CLI and scores the answers "
                "(accuracy, citation support, refusals, latency).",
                "### 评测\n用与命令行相同的流程回答问题集并评分（准确率、引文支持、拒答、延迟）。"),
    "eval_set": ("Question set", "问题集"),
    "eval_run": ("Run evaluation", "运行评测"),
    "eval_done": ("{n} questions in {s:.1f} s — accuracy {acc}, citation support {sup}. Saved to {path}.",
                  "{s:.1f} 秒完成 {n} 个问题——准确率 {acc}，引文支持 {sup}。结果保存在 {path}。"),
    "eval_table": ("Metrics by group", "分组指标"),
    "eval_plot": ("Rates by group", "分组比率"),
    "running": ("Question {i} of {n}", "第 {i}/{n} 题"),
    "copy_md": ("Copy as Markdown", "复制为 Markdown"),
    "copied": ("Copied", "已复制"),
    "q_empty": ("Type a question first.", "请先输入问题。"),
    "q_too_long": ("The question is {n} characters long; the limit is {limit}. Shorten it and ask again.",
                   "问题长 {n} 个字符，上限为 {limit} 个。请缩短后再问。"),
    # --- saved conversations and feedback ---
    "conversations": ("### Conversations", "### 对话记录"),
    "conv_search": ("Search conversations", "搜索对话"),
    "conv_empty": ("No saved conversations yet: each question you ask is saved here.", "暂无保存的对话：提问后会自动保存在这里。"),
    "conv_no_match": ("No conversation contains this text.", "没有包含此内容的对话。"),
    "conv_temporary": ("The data folder is read-only: conversations are kept only until the app stops.",
                       "数据文件夹为只读：对话仅保留到应用停止运行为止。"),
    "conv_unavailable": ("Conversations cannot be saved: {e}", "无法保存对话：{e}"),
    "conv_not_saved": ("This answer was not saved: {e}", "此答案未能保存：{e}"),
    "conv_title": ("Title of this conversation", "当前对话标题"),
    "conv_rename": ("Rename", "重命名"),
    "conv_delete": ("Delete", "删除"),
    "conv_delete_confirm": ("Delete this conversation for good", "确认永久删除此对话"),
    "conv_export": ("Export", "导出"),
    "conv_share": ("Share link", "分享链接"),
    "conv_none_open": ("Open or start a conversation first.", "请先打开或开始一个对话。"),
    "conv_title_needed": ("A conversation needs a title: the title is kept as it was.", "对话标题不能为空：已保留原标题。"),
    "conv_link": ("Read-only link to this conversation (anyone with the link can read it):\n\n`{link}`",
                  "此对话的只读链接（任何持有链接的人都可查看）：\n\n`{link}`"),
    "conv_shared": ("**Shared conversation, read-only:** {title}. Asking a question starts a conversation of your own.",
                    "**分享的对话（只读）：** {title}。提问将开始您自己的新对话。"),
    "conv_shared_gone": ("**This shared link opens nothing:** the conversation was deleted or the link is wrong. Ask a "
                         "question to start a conversation of your own.",
                         "**该分享链接无法打开：**对话已被删除，或链接有误。提问即可开始你自己的对话。"),
    "feedback_comment": ("What was wrong or right about this answer? (optional)", "这个答案哪里有误或有用？（可选）"),
    "feedback_send": ("Send", "发送"),
    "feedback_thanks": ("Thank you: your feedback is saved.", "谢谢，您的反馈已保存。"),
    "feedback_unsaved": ("Only answers of a saved conversation can be rated.", "只能评价已保存对话中的答案。"),
}

CODED_VALUES = ("city", "district", "original", "uploaded")  # the Library's level and source values, in TEXT


def columns(keys: list[str], lang: str) -> list[str]:
    """The Library's and the Evaluation's column names in the interface language (TEXT's "col_" entries)."""
    return [t(f"col_{key}", lang) if f"col_{key}" in TEXT else key for key in keys]


def value(text: object, lang: str) -> object:
    """A coded value of the Library (level, source) in the interface language; anything else as it is."""
    return t(text, lang) if text in CODED_VALUES else text


def t(key: str, lang: str, **values) -> str:
    english, chinese = TEXT[key]
    return (english if lang == "en" else chinese).format(**values)


def upload_error(err: Exception, lang: str) -> str:
    """Why an upload was refused, in the interface's language when its reason has a key (UploadError.key), with the
    file's name first; otherwise the error's own message."""
    key, values = getattr(err, "key", ""), dict(getattr(err, "values", {}))
    if key not in TEXT:
        return str(err)
    if "fields" in values:  # the metadata fields, by their labels in this language
        values["fields"] = ("、" if lang == "zh" else ", ").join(t(f"m_{f}", lang) for f in values["fields"])
    text = t(key, lang, **values)
    named = "{name}" in TEXT[key][0]
    return f"{values['name']}{'：' if lang == 'zh' else ': '}{text}" if "name" in values and not named else text


def browser_lang(accept_language: str | None) -> str:
    """"zh-CN,zh;q=0.9" -> "zh"; any other browser language -> "en"; no header -> "zh" (the reports' language)."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if not first or first.startswith("zh") else "en"
