"""python -m workspace: create-admin, publish, rollback, versions – on both workspace backends."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from workspace_helpers import workspace_url  # noqa: F401  (fixture)

from workspace import cli
from workspace import versions as v
from workspace.storage import Workspace
from workspace.users import verify_password

REPO_ROOT = Path(__file__).resolve().parent.parent


def _create_admin(url: str, username: str, password: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "workspace", "--workspace", url, "create-admin", "--username", username, "--password-stdin"]
    return subprocess.run(cmd, input=password + "\n", capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)


def test_create_admin_from_the_shell(workspace_url: str) -> None:
    done = _create_admin(workspace_url, "chefin", "sehr-geheim-1")
    assert done.returncode == 0 and "Admin 'chefin' angelegt" in done.stdout
    refused = _create_admin(workspace_url, "chefin", "kurz")
    assert refused.returncode == 2 and "zu kurz" in refused.stderr and "nichts geändert" in refused.stderr
    again = _create_admin(workspace_url, "chefin", "anderes-geheimnis")
    assert again.returncode == 0 and "aktualisiert" in again.stdout
    user = Workspace.open(workspace_url).user("chefin")
    assert user.roles == ("admin",) and verify_password("anderes-geheimnis", user.password_hash)
    assert not verify_password("sehr-geheim-1", user.password_hash)


def test_publish_rollback_and_versions_from_the_shell(workspace_url: str, demo_db: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(v, "draft_configs", lambda base, uploads, folder, ws, db_name: base)
    db = tmp_path / "db" / demo_db.name
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    original = v.sha256_of(db)
    base = ["--workspace", workspace_url]
    assert cli.main([*base, "versions", "--db", str(db)]) == 0
    assert "Noch keine Versionen" in capsys.readouterr().out
    assert cli.main([*base, "publish", "--db", str(db), "--user", "anna", "--quiet"]) == 0
    assert "Version 2 ist live" in capsys.readouterr().out
    assert cli.main([*base, "rollback", "--db", str(db), "--to", "1", "--user", "bert"]) == 0
    assert "Version 1 ist wieder live (als Version 3" in capsys.readouterr().out and v.sha256_of(db) == original
    assert cli.main([*base, "rollback", "--db", str(db), "--to", "9", "--user", "bert"]) == 2
    assert "Version 9 gibt es nicht" in capsys.readouterr().err
    assert cli.main([*base, "versions", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and [line.split()[0] for line in lines] == ["1", "2", "*"]
    assert "initial" in lines[0] and "publish" in lines[1] and "anna" in lines[1]
    assert "bert" in lines[2] and "rollback (= Version 1)" in lines[2]


def test_a_database_of_unknown_origin_needs_its_config_once(workspace_url: str, demo_db: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import duckdb

    monkeypatch.setattr(v, "draft_configs", lambda base, uploads, folder, ws, db_name: base)
    db = tmp_path / "db" / "landkreis_x.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    with duckdb.connect(str(db)) as con:  # built from a config that is gone
        con.execute("UPDATE build_log SET message = '/nirgends/landkreis_x.toml' WHERE topic = 'config_path'")
        con.execute("UPDATE build_log SET message = 'landkreis_x.toml' WHERE topic = 'config'")
    base = ["--workspace", workspace_url]
    assert cli.main([*base, "publish", "--db", str(db), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "nichts geändert" in err and "landkreis_x.toml" in err and "--config" in err
    assert Workspace.open(workspace_url).versions("landkreis_x").empty
    assert cli.main([*base, "publish", "--db", str(db), "--quiet", "--config", "config/missing.toml"]) == 2
    assert "nicht gefunden" in capsys.readouterr().err
    assert cli.main([*base, "publish", "--db", str(db), "--quiet", "--config", "config/demo_musterland.toml"]) == 0
    listing = Workspace.open(workspace_url).versions("landkreis_x")
    assert list(listing["seq"]) == [1, 2] and listing.iloc[0]["recipe"]["configs"] == ["config/demo_musterland.toml"]
