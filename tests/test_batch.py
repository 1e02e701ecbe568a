"""Finding revision files, caching results by content and spreading work over processes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from alembic.config import Config

from lback_migrations.atomic_write import write_atomically
from lback_migrations.errors import ConfigurationError
from lback_migrations.parallel import run_parallel
from lback_migrations.result_cache import SETTLED_NS, ResultCache, content_digest
from lback_migrations.revision_files import display_path, revision_paths


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def alembic_config(root: Path, **options: str) -> Config:
    lines = ["[alembic]", *(f"{key} = {value}" for key, value in options.items())]
    ini = touch(root / "alembic.ini", "\n".join(lines) + "\n")
    return Config(str(ini))


def test_directories_expand_to_python_files_recursively_skipping_caches(tmp_path: Path) -> None:
    first = touch(tmp_path / "versions" / "a.py")
    nested = touch(tmp_path / "versions" / "2024" / "b.py")
    touch(tmp_path / "versions" / "notes.txt")
    touch(tmp_path / "versions" / "__pycache__" / "a.py")
    touch(tmp_path / "versions" / ".hidden" / "c.py")
    assert revision_paths(None, [str(tmp_path / "versions")]) == [first, nested]


def test_files_are_kept_once_in_the_order_given(tmp_path: Path) -> None:
    one = touch(tmp_path / "one.py")
    two = touch(tmp_path / "two.py")
    assert revision_paths(None, [str(two), str(one), str(tmp_path)]) == [two, one]


def test_a_missing_path_is_a_configuration_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"missing\.py does not exist") as raised:
        revision_paths(None, [str(tmp_path / "missing.py")])
    assert raised.value.key == "PATHS"


def test_without_paths_the_script_locations_versions_directory_is_used(tmp_path: Path) -> None:
    revision = touch(tmp_path / "migrations" / "versions" / "abc_first.py")
    config = alembic_config(tmp_path, script_location="%(here)s/migrations")
    assert revision_paths(config, []) == [revision]


def test_without_paths_every_version_location_is_used(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    first = touch(tmp_path / "core" / "a.py")
    second = touch(tmp_path / "billing" / "b.py")
    config = alembic_config(
        tmp_path,
        script_location="%(here)s/migrations",
        version_locations="%(here)s/core %(here)s/billing",
        path_separator="space",
    )
    assert revision_paths(config, []) == [first, second]


def test_a_missing_version_location_names_the_option_and_the_file(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    config = alembic_config(tmp_path, script_location="%(here)s/migrations")
    with pytest.raises(ConfigurationError) as raised:
        revision_paths(config, [])
    assert raised.value.key == "script_location"
    assert raised.value.source == str(tmp_path / "alembic.ini")
    assert "versions does not exist" in str(raised.value)


def test_no_configuration_and_no_paths_says_what_to_pass(tmp_path: Path) -> None:
    config = Config(str(tmp_path / "alembic.ini"))
    with pytest.raises(ConfigurationError, match="pass -c/--config") as raised:
        revision_paths(config, [])
    assert raised.value.key == "script_location"


def test_a_missing_script_location_directory_is_a_configuration_error(tmp_path: Path) -> None:
    config = alembic_config(tmp_path, script_location="%(here)s/nowhere")
    with pytest.raises(ConfigurationError, match="nowhere"):
        revision_paths(config, [])


def test_the_cache_returns_what_was_put_for_the_same_content_after_saving(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / ".lback-cache", "format", "black 26; line_length=88")
    cache.put(content_digest(b"x = 1\n"), {"status": "unchanged"})
    cache.save()
    reloaded = ResultCache(tmp_path / ".lback-cache", "format", "black 26; line_length=88")
    assert reloaded.get(content_digest(b"x = 1\n")) == {"status": "unchanged"}
    assert reloaded.get(content_digest(b"x = 2\n")) is None


def test_a_different_fingerprint_or_tool_misses(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "format", "line_length=88")
    cache.put(content_digest(b"x = 1\n"), "ok")
    cache.save()
    assert ResultCache(tmp_path, "format", "line_length=79").get(content_digest(b"x = 1\n")) is None
    assert ResultCache(tmp_path, "lint", "line_length=88").get(content_digest(b"x = 1\n")) is None


def test_a_corrupt_cache_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    touch(tmp_path / "format.json", "{not json")
    cache = ResultCache(tmp_path, "format", "")
    assert cache.get(content_digest(b"x = 1\n")) is None
    cache.put(content_digest(b"x = 1\n"), "ok")
    cache.save()
    assert ResultCache(tmp_path, "format", "").get(content_digest(b"x = 1\n")) == "ok"


def test_the_cache_directory_ignores_itself_in_git(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / ".lback-cache", "lint", "")
    cache.put(content_digest(b""), [])
    cache.save()
    assert (tmp_path / ".lback-cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_saving_an_unchanged_cache_writes_nothing(tmp_path: Path) -> None:
    ResultCache(tmp_path / "cache", "format", "").save()
    assert not (tmp_path / "cache").exists()


def test_an_atomic_write_keeps_the_permission_bits_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    path = touch(tmp_path / "rev.py", "old\n")
    path.chmod(0o640)
    write_atomically(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["rev.py"]


def line_count(path: Path) -> tuple[int, int]:
    return len(path.read_text().splitlines()), os.getpid()


def test_run_parallel_keeps_the_order_and_uses_other_processes_for_many_files(
    tmp_path: Path,
) -> None:
    paths = [touch(tmp_path / f"{index:03}.py", "\n" * index) for index in range(40)]
    results = run_parallel(line_count, paths, jobs=2)
    assert [lines for lines, _ in results] == list(range(40))
    assert {pid for _, pid in results} - {os.getpid()}


def test_run_parallel_stays_in_process_for_few_files_or_one_job(tmp_path: Path) -> None:
    few = [touch(tmp_path / f"{index}.py") for index in range(3)]
    many = [touch(tmp_path / f"m{index}.py") for index in range(40)]
    assert {pid for _, pid in run_parallel(line_count, few, jobs=2)} == {os.getpid()}
    assert {pid for _, pid in run_parallel(line_count, many, jobs=1)} == {os.getpid()}


def test_a_settled_files_digest_is_remembered_by_its_status(tmp_path: Path) -> None:
    path = touch(tmp_path / "a.py", "x = 1\n")
    os.utime(path, ns=(0, 0))  # the change time still says now: too recent to remember
    cache = ResultCache(tmp_path / "cache", "lint", "")
    assert cache.digest(path) == content_digest(b"x = 1\n")
    cache.save()
    assert not (tmp_path / "cache" / "lint.files.json").exists()
    time.sleep(SETTLED_NS / 1e9 + 0.2)
    cache = ResultCache(tmp_path / "cache", "lint", "")
    assert cache.digest(path) == content_digest(b"x = 1\n")
    cache.save()
    statuses = json.loads((tmp_path / "cache" / "lint.files.json").read_text())["files"]
    status = path.stat()
    assert statuses == {
        f"{status.st_dev}:{status.st_ino}": [
            status.st_size,
            status.st_mtime_ns,
            status.st_ctime_ns,
            content_digest(b"x = 1\n"),
        ]
    }


def test_a_file_rewritten_with_its_size_and_times_kept_is_read_again(tmp_path: Path) -> None:
    path = touch(tmp_path / "a.py", "x = 1\n")
    time.sleep(SETTLED_NS / 1e9 + 0.2)
    cache = ResultCache(tmp_path / "cache", "lint", "")
    cache.digest(path)
    cache.save()
    before = path.stat()
    path.write_text("x = 2\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert ResultCache(tmp_path / "cache", "lint", "").digest(path) == content_digest(b"x = 2\n")


def test_a_files_context_is_part_of_its_key(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "format", "black 26")
    cache.put(content_digest(b"x = 1\n"), "unchanged", '{"line_length": 88}')
    assert cache.get(content_digest(b"x = 1\n"), '{"line_length": 88}') == "unchanged"
    assert cache.get(content_digest(b"x = 1\n"), '{"line_length": 79}') is None


def test_only_the_latest_run_is_kept(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "lint", "")
    cache.keep_latest("first inputs", ["first"])
    cache.keep_latest("second inputs", ["second"])
    cache.save()
    reloaded = ResultCache(tmp_path, "lint", "")
    assert reloaded.latest("second inputs") == ["second"]
    assert reloaded.latest("first inputs") is None
    assert ResultCache(tmp_path, "lint", "other options").latest("second inputs") is None


@pytest.mark.parametrize(
    ("named", "shown"),
    [
        ("migrations/versions/a1.py", "migrations/versions/a1.py"),
        ("./migrations/versions/a1.py", "migrations/versions/a1.py"),
        ("{root}/migrations/versions/a1.py", "migrations/versions/a1.py"),
        ("../project/migrations/versions/a1.py", "migrations/versions/a1.py"),
        ("{root}", "{root}"),
        ("../other/a1.py", "../other/a1.py"),
        ("/elsewhere/a1.py", "/elsewhere/a1.py"),
    ],
)
def test_a_path_inside_the_working_directory_is_shown_relative_to_it_else_as_named(
    tmp_path: Path, named: str, shown: str
) -> None:
    root = str(tmp_path / "project")
    assert display_path(named.format(root=root), root) == shown.format(root=root)
