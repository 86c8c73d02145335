from __future__ import annotations

import django

from benchmarks.machine import cpu_model, describe, load_average, memory_gib, tool_version


def test_cpu_model_and_memory_from_proc_text() -> None:
    assert cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n") == "AMD EPYC 7B13"
    assert cpu_model("") != ""
    assert memory_gib("MemTotal:       24684088 kB\nMemFree: 1 kB\n") == 24684088 / 1024 / 1024
    assert memory_gib("") is None


def test_tool_version() -> None:
    assert tool_version(["grep", "--version"]).startswith("grep")
    assert tool_version(["/nonexistent/tool", "--version"]) == "not installed"
    assert tool_version(["false"]) == "not installed"


def test_describe_names_cores_memory_and_versions() -> None:
    machine = describe()
    assert machine["CPU"].split()[0].isdigit()
    assert machine["Memory"].endswith("GiB")
    assert machine["Python"].startswith("CPython 3.")
    assert machine["SQLite"].count(".") == 2
    # The version the suite runs on: 5.2 in one pass, 6.1 in the other.
    assert machine["Django"] == django.get_version()
    assert "(1, 5, 15 min)" in load_average()
