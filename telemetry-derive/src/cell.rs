//! The text of one docs-table cell, as the why-texts and review reasons
//! become: whitespace collapsed, `|` escaped so it cannot split the cell.

/// Joins the lines of a `///` comment into one table cell: whitespace
/// (line breaks included) collapsed to single spaces, `|` escaped so it
/// cannot split the cell. One pass, no intermediate strings: this runs for
/// every field on every build, in an unoptimized proc macro.
pub fn why_cell(doc_lines: &[String]) -> String {
    let mut out = String::with_capacity(doc_lines.iter().map(String::len).sum());
    let mut space_before_next = false;
    for line in doc_lines {
        for c in line.chars() {
            if c.is_whitespace() {
                space_before_next = !out.is_empty();
                continue;
            }
            if space_before_next {
                out.push(' ');
                space_before_next = false;
            }
            if c == '|' {
                out.push('\\');
            }
            out.push(c);
        }
        space_before_next = !out.is_empty();
    }
    out
}

/// Escapes `|` for use inside a table cell.
pub fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_cell_joins_lines_and_escapes_pipes() {
        let lines = [
            " First line,".to_owned(),
            "".to_owned(),
            " a | b ".to_owned(),
        ];
        assert_eq!(why_cell(&lines), r"First line, a \| b");
        assert_eq!(escape_cell("a|b"), r"a\|b");
    }

    proptest::proptest! {
        #[test]
        fn why_cell_matches_split_and_join(lines in proptest::collection::vec("\\PC{0,20}|[ \t\r\n|a]{0,8}", 0..4)) {
            let words: Vec<&str> = lines.iter().flat_map(|line| line.split_whitespace()).collect();
            proptest::prop_assert_eq!(why_cell(&lines), escape_cell(&words.join(" ")));
        }
    }
}
