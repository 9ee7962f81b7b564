"""python -m eval: see eval/runner.py; python -m eval feedback: see eval/feedback.py."""
import sys

if sys.argv[1:2] == ["feedback"]:
    from eval.feedback import main as feedback

    sys.exit(feedback(sys.argv[2:]))

from eval.runner import main

main()
