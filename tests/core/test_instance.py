"""The single-instance name: one per user and profile, revealing neither."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from sessionclock.core.instance import current_user, instance_name


def test_the_same_user_and_profile_give_the_same_name(tmp_path: Path) -> None:
    first = instance_name(user="ana", data_dir=tmp_path, demo=False)
    assert first == instance_name(user="ana", data_dir=tmp_path / ".", demo=False)
    assert first.startswith("sessionclock-")
    assert len(first) < 40


def test_users_profiles_and_demos_each_get_their_own(tmp_path: Path) -> None:
    names = {
        instance_name(user="ana", data_dir=None, demo=False),
        instance_name(user="ben", data_dir=None, demo=False),
        instance_name(user="ana", data_dir=tmp_path, demo=False),
        instance_name(user="ana", data_dir=None, demo=True),
        instance_name(user="ana", data_dir=tmp_path, demo=True),
    }
    assert len(names) == 5


def test_the_name_reveals_neither_user_nor_folder(tmp_path: Path) -> None:
    name = instance_name(user="ana.lopez", data_dir=tmp_path / "clinic", demo=False)
    assert "ana" not in name
    assert "clinic" not in name


def test_the_current_user_is_the_logged_in_one() -> None:
    assert current_user() == getpass.getuser()


def test_without_a_user_name_the_user_id_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_name() -> str:
        raise OSError("no user name")

    monkeypatch.setattr(getpass, "getuser", no_name)
    assert current_user().isdigit()
