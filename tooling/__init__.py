"""Test and benchmark tooling: the app on a free port, Debian's Chromium. Not part of the product."""
