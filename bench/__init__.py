"""The CSTO Atlas benchmark: the dashboard against a naive baseline, in headless Chromium.

Run it with `.venv/bin/python -m bench` (see bench/README.md for what each figure means).
"""
