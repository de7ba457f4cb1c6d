//! Unit tests of the cell spelling; `tests/renderers.rs` shows what the
//! real renderers make of it.

use super::*;

#[test]
fn why_cell_joins_lines_and_keeps_the_text() {
    let lines = [
        " First line,".to_owned(),
        "".to_owned(),
        " a | b ".to_owned(),
    ];
    assert_eq!(why_cell(&lines), "First line, a | b");
}

#[test]
fn text_is_escaped_and_code_spans_kept() {
    assert_eq!(cell("a | b"), "a &#124; b");
    assert_eq!(cell(r"a \| b"), "a &#124; b");
    assert_eq!(cell("`a|b` and `{x}`"), r"`a\|b` and `{x}`");
    assert_eq!(
        cell("p99 <5 ms for {braces}"),
        r"p99 &lt;5 ms for \{braces\}"
    );
    assert_eq!(
        cell("<br> <which> <Foo />"),
        "&lt;br> &lt;which> &lt;Foo />"
    );
    assert_eq!(cell(r"already \{ escaped \<"), r"already \{ escaped &lt;");
    assert_eq!(cell(r"a \\| b"), r"a \\&#124; b");
    assert_eq!(cell(r"ends in \"), r"ends in \");
    assert_eq!(cell("&amp; ünïcode 🎉"), "&amp; ünïcode 🎉");
    assert_eq!(cell("unclosed ` {x}"), r"unclosed ` \{x\}");
    assert_eq!(cell("``a ` {b}`` {c}"), r"``a ` {b}`` \{c\}");
    assert_eq!(cell(r"\`not code {x}`"), r"\`not code \{x\}`");
}

#[test]
fn autolinks_become_inline_links() {
    assert_eq!(
        cell("(see <https://example.com/why>)"),
        "(see [https://example.com/why](https://example.com/why))"
    );
    assert_eq!(
        cell("<https://example.com/a_b?x=1&y=2>"),
        r"[https://example.com/a\_b?x=1\&y=2](https://example.com/a\_b?x=1\&y=2)"
    );
    assert_eq!(
        cell("mail <ops@example.com>"),
        "mail [ops@example.com](mailto:ops@example.com)"
    );
    // Not an autolink: text.
    assert_eq!(cell("<not a link>"), "&lt;not a link>");
}

#[test]
fn what_no_site_agrees_on_is_refused() {
    assert!(refusal(r"`a\|b`").unwrap().contains("`a\\|b` holds `\\|`"));
    assert_eq!(refusal("`a|b` and a | b"), None);
    assert!(refusal("see https://example.com/a|b")
        .unwrap()
        .contains("bare URL"));
    assert!(refusal("https://example.com/?a&amp;b").is_some());
    assert_eq!(refusal("https://example.com/?a&b, then a | b"), None);
    assert_eq!(refusal("<https://example.com/a|b>"), None);
}

proptest::proptest! {
    #[test]
    fn why_cell_matches_split_and_join(lines in proptest::collection::vec("\\PC{0,20}|[ \t\r\n\u{b}\u{c}\u{a0}\u{2003}|aé]{0,8}", 0..4)) {
        let words: Vec<&str> = lines.iter().flat_map(|line| line.split_whitespace()).collect();
        proptest::prop_assert_eq!(why_cell(&lines), words.join(" "));
    }

    #[test]
    fn a_cell_never_holds_a_bare_pipe_or_tag_outside_code(text in "\\PC{0,40}") {
        let spelled = cell(&text);
        for piece in pieces(&spelled) {
            if let Piece::Text(text) = piece {
                let unescaped = text.replace("\\\\", "").replace("\\|", "");
                proptest::prop_assert!(!unescaped.contains('|'), "{:?} -> {:?}", text, spelled);
            }
        }
    }
}

#[test]
fn a_plain_why_text_is_its_own_cell() {
    for text in [
        "Which versions are in use, to know where to focus fixes.",
        "Cores (per node): 4, 8 or more; emoji 🚀 and non-ASCII é.",
        "",
    ] {
        assert_eq!(cell(text), text);
        assert_eq!(refusal(text), None);
    }
}
