"""wsgistack.deploy.config_transaction against a temporary directory: apply, check, roll back."""

from __future__ import annotations

import os
import stat
import sys

import pytest
from ansible_collections.wsgistack.deploy.plugins.modules import config_transaction


def snapshot(root):
    """Everything under ``root``, exactly: {relative path: what is there}."""
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            key = os.path.relpath(path, root)
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[key] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                with open(path, "rb") as handle:
                    found[key] = (
                        "file",
                        handle.read(),
                        stat.S_IMODE(info.st_mode),
                        info.st_uid,
                        info.st_gid,
                    )
    return found


def checker(marker, rc=0, stderr="", stdout=""):
    """A validate command: leaves ``marker`` behind, says what it is told, exits ``rc``."""
    code = (
        "import sys; open(sys.argv[1], 'a').write('ran\\n'); "
        f"sys.stdout.write({stdout!r}); sys.stderr.write({stderr!r}); sys.exit({rc})"
    )
    return [sys.executable, "-c", code, str(marker)]


@pytest.fixture
def site(tmp_path):
    """A small nginx-like layout, with a live configuration in it."""
    etc = tmp_path / "etc"
    available, enabled = etc / "sites-available", etc / "sites-enabled"
    available.mkdir(parents=True)
    enabled.mkdir()
    live = available / "guestbook.conf"
    live.write_text("server { listen 80; } # caf\u00e9\n", encoding="utf-8")
    live.chmod(0o640)
    os.chown(live, 0, 1)  # group 1: a restore must bring the group back too
    (enabled / "guestbook.conf").symlink_to("../sites-available/guestbook.conf")
    (enabled / "default").symlink_to("/usr/share/nginx/default")
    (available / "old.conf").write_bytes(b"# old, \xff not UTF-8\n")  # removed, then restored
    return etc


def converged_args(etc, marker, **more):
    """What the live configuration in ``site`` already is."""
    available, enabled = etc / "sites-available", etc / "sites-enabled"
    live = (available / "guestbook.conf").read_text(encoding="utf-8")
    args = {
        "files": [{
            "path": str(available / "guestbook.conf"), "content": live,
            "mode": "0640", "owner": "0", "group": "1",
        }],
        "links": [{"path": str(enabled / "guestbook.conf"),
                   "src": "../sites-available/guestbook.conf"}],
        "absent": [str(enabled / "missing.conf")],
        "validate": checker(marker),
        "validate_name": "nginx -t",
    }  # fmt: skip
    args.update(more)
    return args


def new_args(etc, marker, **more):
    """A change of every kind: a file rewritten (content and mode), one new, a link re-pointed, one
    new, a file and a link removed."""
    available, enabled = etc / "sites-available", etc / "sites-enabled"
    args = {
        "files": [
            {"path": str(available / "guestbook.conf"), "content": "server { listen 8080; }\n",
             "mode": "0644", "owner": "root", "group": "root"},
            {"path": str(available / "notes.conf"), "content": "server { listen 81; }\n",
             "mode": "0644"},
        ],
        "links": [
            {"path": str(enabled / "guestbook.conf"), "src": str(available / "guestbook.conf")},
            {"path": str(enabled / "notes.conf"), "src": str(available / "notes.conf")},
        ],
        "absent": [str(enabled / "default"), str(available / "old.conf")],
        "validate": checker(marker),
        "validate_name": "nginx -t",
    }  # fmt: skip
    args.update(more)
    return args


def test_nothing_to_change_runs_no_check(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    before = snapshot(site)
    result = run_module(config_transaction.main, converged_args(site, marker))
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["changed_paths"] == []
    assert result["validated"] is False
    assert not marker.exists()
    assert snapshot(site) == before


def test_every_change_goes_into_place_and_is_checked(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    result = run_module(config_transaction.main, new_args(site, marker, _ansible_diff=True))
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["validated"] is True
    assert marker.read_text() == "ran\n"
    available, enabled = site / "sites-available", site / "sites-enabled"
    assert result["changed_paths"] == [
        str(available / "guestbook.conf"), str(available / "notes.conf"),
        str(enabled / "guestbook.conf"), str(enabled / "notes.conf"),
        str(enabled / "default"), str(available / "old.conf"),
    ]  # fmt: skip
    after = snapshot(site)
    assert after["sites-available/guestbook.conf"] == (
        "file",
        b"server { listen 8080; }\n",
        0o644,
        0,
        0,
    )
    assert after["sites-available/notes.conf"][:3] == ("file", b"server { listen 81; }\n", 0o644)
    assert after["sites-enabled/guestbook.conf"] == ("link", str(available / "guestbook.conf"))
    assert after["sites-enabled/notes.conf"] == ("link", str(available / "notes.conf"))
    assert "sites-enabled/default" not in after
    assert "sites-available/old.conf" not in after
    assert not [name for name in after if name.endswith(".tmp")]  # no temporary file left
    diff = {entry["after_header"].split(" ")[0]: entry for entry in result["diff"]}
    assert diff[str(available / "guestbook.conf")]["after"] == "server { listen 8080; }\n"
    assert diff[str(enabled / "default")]["before"] == "-> /usr/share/nginx/default\n"
    assert diff[str(enabled / "default")]["after_header"].endswith("(absent)")

    # The same again: nothing differs, nothing is checked.
    marker.unlink()
    again = run_module(config_transaction.main, new_args(site, marker))
    assert again["changed"] is False
    assert not marker.exists()


def test_a_rejected_configuration_is_rolled_back_exactly(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    before = snapshot(site)
    validate = checker(
        marker,
        rc=1,
        stderr='nginx: [emerg] unknown directive "no_such_directive"\n',
        stdout="out\n",
    )
    result = run_module(config_transaction.main, new_args(site, marker, validate=validate))
    assert result["failed"] is True
    assert marker.read_text() == "ran\n"  # the check saw the new configuration...
    assert snapshot(site) == before  # ...and then every path is as it was, byte for byte
    message = result["msg"]
    assert message.startswith("nginx -t rejected the new configuration (exit status 1)")
    assert 'unknown directive "no_such_directive"' in message
    assert "out" in message
    assert "server { listen" not in message  # no file's content in the message
    assert result["changed"] is False
    assert len(result["rolled_back"]) == 6


def test_a_step_that_fails_midway_rolls_back_what_came_before(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    before = snapshot(site)
    args = new_args(site, marker)
    # The second link's directory does not exist: the files and the first link are in place by then.
    args["links"][1]["path"] = str(site / "no-such-dir" / "notes.conf")
    result = run_module(config_transaction.main, args)
    assert result["failed"] is True
    assert snapshot(site) == before
    assert not marker.exists()  # the check never ran
    assert f"linking {site / 'no-such-dir' / 'notes.conf'} to" in result["msg"]
    assert "rolled back" in result["msg"]
    assert "rejected" not in result["msg"]
    assert result["rolled_back"] == [
        str(site / "sites-available/guestbook.conf"),
        str(site / "sites-available/notes.conf"),
        str(site / "sites-enabled/guestbook.conf"),
        str(site / "no-such-dir/notes.conf"),
    ]


def test_a_file_that_cannot_be_written_rolls_back(run_module, site, tmp_path, monkeypatch):
    marker = tmp_path / "validated"
    before = snapshot(site)
    real_move = config_transaction.AnsibleModule.atomic_move

    def move(module, src, dest, *args, **kwargs):
        if dest.endswith("notes.conf"):
            raise OSError(13, "Permission denied")
        return real_move(module, src, dest, *args, **kwargs)

    monkeypatch.setattr(config_transaction.AnsibleModule, "atomic_move", move)
    result = run_module(config_transaction.main, new_args(site, marker))
    assert result["failed"] is True
    assert f"writing {site / 'sites-available' / 'notes.conf'} failed" in result["msg"]
    assert snapshot(site) == before
    assert not marker.exists()


def test_check_mode_reports_and_touches_nothing(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    before = snapshot(site)
    result = run_module(
        config_transaction.main, new_args(site, marker, _ansible_diff=True), check_mode=True
    )
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert len(result["changed_paths"]) == 6
    assert len(result["diff"]) == 6
    assert snapshot(site) == before
    assert not marker.exists()


def test_a_mode_or_owner_alone_is_a_change(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    args = converged_args(site, marker)
    args["files"][0]["mode"] = "0644"
    result = run_module(config_transaction.main, args)
    assert result["changed"] is True
    assert stat.S_IMODE(os.lstat(args["files"][0]["path"]).st_mode) == 0o644
    assert marker.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a["absent"].append(a["files"][0]["path"]), "is given more than once"),
        (lambda a: a["absent"].append("relative/path"), "is not an absolute path"),
        (lambda a: a["files"][0].update(mode="u+rw"), "is not an octal mode"),
        (lambda a: a["files"][0].update(owner="no-such-user-here"), "no user no-such-user-here"),
        (lambda a: a["files"][0].update(content=None, template="x.j2"), "has no content"),
    ],
)
def test_bad_input_changes_nothing(run_module, site, tmp_path, change, expected):
    marker = tmp_path / "validated"
    before = snapshot(site)
    args = new_args(site, marker)
    change(args)
    result = run_module(config_transaction.main, args)
    assert result["failed"] is True
    assert expected in result["msg"]
    assert "nothing was changed" in result["msg"]
    assert snapshot(site) == before


def test_a_directory_is_not_removed(run_module, site, tmp_path):
    marker = tmp_path / "validated"
    before = snapshot(site)
    result = run_module(
        config_transaction.main, new_args(site, marker, absent=[str(site / "sites-enabled")])
    )
    assert result["failed"] is True
    assert "neither a file nor a link" in result["msg"]
    assert snapshot(site) == before
