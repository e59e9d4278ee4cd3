#!/usr/bin/env bash
# Regenerates the locks from the hand-written requirement files, with every transitive dependency
# pinned and hashed (all files of each release, so pip finds a hash whichever file it picks):
#   requirements.txt     -> requirements.lock      (the app: the README's run command)
#   requirements-mp4.txt -> requirements-mp4.lock  (the optional MP4 extra, on top of the app)
#   requirements-dev.txt -> requirements-dev.lock  (the app, the tests and the tools: tests/run)
# The MP4 and dev locks are constrained by the runtime lock, so both pin the app's packages alike. Pins
# already in a lock are kept; extra arguments go to pip-compile, e.g.
#   bash tooling/lock.sh --upgrade-package streamlit   (or --upgrade for everything)
# Run it with the project's venv (.venv, from requirements-dev.lock), after editing a
# requirements file.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"

compile() {
  "$python" -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --newline LF "$@"
}

compile --output-file requirements.lock "${@}" requirements.txt
compile --output-file requirements-mp4.lock --constraint requirements.lock "${@}" requirements-mp4.txt
compile --output-file requirements-dev.lock --constraint requirements.lock "${@}" requirements-dev.txt
