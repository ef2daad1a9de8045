"""config.toml rewritten by `optimize` (personal parameters) and `sync` (the [sync] table):
the user's file survives a power cut and a second flashdeck writing it at the same moment,
with their comments and keys kept."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from flashdeck.scheduling.config import update_config

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """# my flashdeck settings
new_per_day = 15    # a calm term
desired_retention = 0.9
"""

WRITER = """
import sys
from pathlib import Path
from flashdeck.scheduling.config import update_config

path, who, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    def edit(doc, i=i):
        doc[f"{who}_{i}"] = i
    update_config(path, edit)
print("done")
"""


def test_two_writers_at_once_each_keep_the_other_s_edits(tmp_path):
    """`sync` and `optimize` in two terminals: every edit of both lands, the file always
    parses, the user's comments stay, and no temp file is left in the folder. (Before, both
    wrote `config.toml.tmp`: one renamed the other's half-written file, or failed with
    "cannot write the settings", and edits read before the other's write were lost.)"""
    path = tmp_path / "cfg" / "config.toml"
    path.parent.mkdir()
    path.write_text(SETTINGS)
    count = 60
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who, str(count)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
             for who in ("sync", "optimize")]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "done", err[-2000:]
    text = path.read_text()
    assert text.startswith(SETTINGS)
    data = tomllib.loads(text)
    for who in ("sync", "optimize"):
        assert [data.get(f"{who}_{i}") for i in range(count)] == list(range(count))
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]


def test_the_new_file_is_on_disk_before_it_replaces_the_old(tmp_path, monkeypatch):
    """A power cut right after the rename must not leave an empty or half-written
    config.toml: the new text is flushed (fsync) before the rename, and the folder after
    it; the temp file has a name of its own."""
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS)
    path.chmod(0o640)
    events: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        info = os.fstat(fd)
        events.append(("fsync", "folder" if stat.S_ISDIR(info.st_mode) else info.st_size))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    update_config(path, lambda doc: doc.update({"new_per_day": 25}))
    text = path.read_text()
    assert text == SETTINGS.replace("= 15 ", "= 25 ")
    assert [e[0] for e in events] == ["fsync", "replace", "fsync"]
    assert events[0][1] == len(text.encode())  # the whole new text, flushed
    temp = events[1][1]
    assert temp not in ("config.toml.tmp", "config.toml") and events[1][2] == "config.toml"
    assert events[2] == ("fsync", "folder")
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_temp_file_left_by_a_killed_write_is_cleared(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS)
    stale = tmp_path / ".config.toml.4242-deadbeef.tmp"
    stale.write_text("new_per_day = ")  # half-written, its writer killed
    update_config(path, lambda doc: doc.update({"new_per_day": 30}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
    assert tomllib.loads(path.read_text())["new_per_day"] == 30
