from __future__ import annotations

from auditconsole.views.jsontokens import Token, TokenLine, json_lines


def render(lines: list[TokenLine]) -> str:
    return "\n".join(line.indent + "".join(token.text for token in line.tokens) for line in lines)


def test_pretty_layout_matches_json_dumps_indent_2() -> None:
    import json

    value = {"a": 1, "b": [True, None, "x"], "c": {}, "d": [], "e": {"f": 1.5}, "g": "</script>"}
    assert render(json_lines(value)) == json.dumps(value, indent=2, ensure_ascii=False).replace(
        "\\/", "/"
    )


def test_token_kinds() -> None:
    lines = json_lines({"k": "s", "n": 2, "b": False, "z": None})
    kinds = [token.kind for line in lines for token in line.tokens]
    assert kinds == ["", "k", "", "s", "", "k", "", "n", "", "k", "", "b", "", "k", "", "z", ""]
    assert lines[1].tokens[0] == Token("k", '"k"')


def test_scalars_and_unencodable_values() -> None:
    assert render(json_lines("text")) == '"text"'
    assert render(json_lines(2**70)) == str(2**70)
    assert (
        render(json_lines([float("nan"), float("inf"), -float("inf")]))
        == "[\n  NaN,\n  Infinity,\n  -Infinity\n]"
    )
    assert render(json_lines(("x",))) == '[\n  "x"\n]'
    assert render(json_lines({1: object})).startswith('{\n  "1": "<class')
