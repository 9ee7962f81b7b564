"""python -m eval: see eval/runner.py."""
from eval.runner import main

main()
