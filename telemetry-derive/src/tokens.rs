//! String literals in bulk, both ways: writing user text into generated
//! code, and reading it back out of literals.
//!
//! Generated code that carries user text in bulk (the field table, the
//! docs block, the JSON Schema) is written as Rust source and lexed by the
//! compiler, instead of being built token by token.
//!
//! Why: a proc macro runs unoptimized in a debug build. `Literal::string`
//! escapes its text char by char inside the macro, and `quote!` sends every
//! token of a 1000-row array across the proc-macro bridge. Writing raw
//! string literals (nothing to escape on either side) and handing the
//! source to the compiler's lexer in one call took most of that cost away.
//! proc-macro2's `FromStr` would first re-lex the text with its own
//! fallback lexer, unoptimized, so `proc_macro` is called directly when it
//! is there.
//!
//! Lexed tokens carry call-site spans, as `quote!`'s own tokens do. Code
//! whose errors should point at the user's source (the value checks,
//! spanned at the `values` literal) stays with `quote_spanned!`. A field
//! access does not need its span: rustc reports a field type without
//! `Serialize` at the derive whether `&self.field` carries it or not.

use std::fmt::Write;

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

/// Appends `text` to `source` as a Rust string literal: raw (`r#"…"#`),
/// which neither side has to escape or unescape, or quoted and escaped
/// when `text` holds a carriage return (not allowed in a raw string).
pub fn push_str_literal(source: &mut String, text: &str) {
    match raw_fence(text.as_bytes()) {
        Some(hashes) => {
            source.push('r');
            source.extend(std::iter::repeat_n('#', hashes));
            source.push('"');
            source.push_str(text);
            source.push('"');
            source.extend(std::iter::repeat_n('#', hashes));
        }
        None => {
            // Writing to a String cannot fail.
            let _ = write!(source, "{text:?}");
        }
    }
}

/// How many `#` a raw string of `text` needs: one more than the longest
/// run of `#` after a `"` inside it. One pass with plain indexing, which
/// stays cheap unoptimized.
fn raw_fence(text: &[u8]) -> Option<usize> {
    // `contains` on bytes is memchr, fast even unoptimized, where the loop
    // below costs tens of instructions a byte; most text has no `#`.
    if text.contains(&b'\r') {
        return None;
    }
    if !text.contains(&b'#') {
        return Some(1);
    }
    let mut hashes = 1;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\r' => return None,
            b'"' => {
                let mut run = 0;
                while i + 1 + run < text.len() && text[i + 1 + run] == b'#' {
                    run += 1;
                }
                hashes = hashes.max(run + 1);
                i += 1 + run;
            }
            _ => i += 1,
        }
    }
    Some(hashes)
}

/// `text` as one string literal token, lexed (for long texts: see above).
pub fn str_literal(text: &str) -> TokenStream {
    let mut source = String::with_capacity(text.len() + 8);
    push_str_literal(&mut source, text);
    parse_generated(&source)
}

/// Tokens for `source`, Rust code written by this crate.
pub fn parse_generated(source: &str) -> TokenStream {
    let parsed = if proc_macro::is_available() {
        source
            .parse::<proc_macro::TokenStream>()
            .map(TokenStream::from)
            .map_err(|e| e.to_string())
    } else {
        source.parse::<TokenStream>().map_err(|e| e.to_string())
    };
    // Generated source that does not lex is a bug here, not the user's.
    parsed.unwrap_or_else(|error| {
        let message = format!(
            "telemetry-derive generated code that does not lex ({error}); please report this bug"
        );
        quote!(::core::compile_error!(#message);)
    })
}

/// The value of a string literal. Doc comments reach a derive as raw
/// literals (`r" text"`), which have nothing to unescape: those and plain
/// literals without a backslash are sliced out of the token text, since
/// syn's unescaping, char by char in an unoptimized proc macro, was the
/// largest cost of reading a 1000-field struct.
pub fn str_value(lit: &LitStr) -> String {
    let repr = lit.token().to_string();
    match verbatim_contents(&repr) {
        Some(contents) => contents.to_owned(),
        None => lit.value(),
    }
}

/// The contents of a string literal's text when they need no unescaping.
pub fn verbatim_contents(repr: &str) -> Option<&str> {
    if let Some(raw) = repr.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let fence = &raw[..hashes];
        return raw[hashes..]
            .strip_prefix('"')?
            .strip_suffix(fence)?
            .strip_suffix('"');
    }
    let contents = repr.strip_prefix('"')?.strip_suffix('"')?;
    (!contents.contains('\\')).then_some(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_literal_has_the_same_value() {
        for text in [
            "plain",
            "quote \" and back\\slash",
            "line\nbreak, tab\t, cr\r, nul\0, bell\u{7}",
            "unicode é ✓ \u{200b} \u{301}combining",
            "'single'",
            "",
            "ends with a quote\"",
            "\"# fence \"## and \"### and \"#### and \"#####",
            "# starts and ends with hashes #",
        ] {
            let mut source = String::new();
            push_str_literal(&mut source, text);
            let lit: syn::LitStr = syn::parse_str(&source).unwrap();
            assert_eq!(lit.value(), text, "{source}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips(text in "(\\PC|[\r\n\t\"#\\\\])*") {
            let mut source = String::new();
            push_str_literal(&mut source, &text);
            let lit: syn::LitStr = syn::parse_str(&source).unwrap();
            proptest::prop_assert_eq!(lit.value(), text);
        }
    }

    #[test]
    fn verbatim_contents_only_where_nothing_is_escaped() {
        assert_eq!(verbatim_contents(r#"" a doc line""#), Some(" a doc line"));
        assert_eq!(verbatim_contents(r#"r" raw""#), Some(" raw"));
        assert_eq!(
            verbatim_contents(r###"r##" has "# inside"##"###),
            Some(r##" has "# inside"##)
        );
        assert_eq!(verbatim_contents(r#""escaped \" quote""#), None);
        assert_eq!(verbatim_contents(r#""suffixed"x"#), None);
        assert_eq!(verbatim_contents(r##"r#"unbalanced""##), None);
    }

    #[test]
    fn str_value_agrees_with_syn() {
        for source in [
            r#"" plain""#,
            r#"r" raw \n stays""#,
            r##"r#" quote " inside"#"##,
            r#""tab\tand \u{e9} and \"q\"""#,
            r#""""#,
        ] {
            let lit: LitStr = syn::parse_str(source).unwrap();
            assert_eq!(str_value(&lit), lit.value(), "{source}");
        }
    }

    #[test]
    fn generated_source_becomes_tokens() {
        let tokens = parse_generated("const A: &str = \"a\";");
        assert_eq!(
            tokens.to_string(),
            quote!(
                const A: &str = "a";
            )
            .to_string()
        );
        let broken = parse_generated("const A: &str = \"unterminated;");
        assert!(broken.to_string().contains("compile_error"));
    }
}
