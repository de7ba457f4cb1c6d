//! The path by which generated code names telemetry-core.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::LitStr;

use crate::ctxt::Ctxt;

/// `::telemetry_core`, or what `#[telemetry(crate = "...")]` says: a
/// facade crate that re-exports telemetry-core, or a renamed dependency
/// (as serde's `#[serde(crate = "...")]`). The path is written into the
/// user's code, so it must resolve where the derive expands (and, for a
/// section, where the payload holding it is derived).
#[derive(Clone, Default)]
pub struct CratePath {
    /// `None` for the default, which is written out without parsing it.
    given: Option<syn::Path>,
}

impl CratePath {
    /// From the attribute's literal; a literal that is not a path is an
    /// error at the literal, and the default is used meanwhile.
    pub fn new(cx: &Ctxt, lit: Option<&LitStr>) -> CratePath {
        let Some(lit) = lit else {
            return CratePath::default();
        };
        match lit.parse::<syn::Path>() {
            Ok(path) => CratePath { given: Some(path) },
            Err(_) => {
                cx.error_spanned_by(
                    lit,
                    format!(
                        "`crate` takes the path telemetry-core is reachable at, \
                         e.g. #[telemetry(crate = \"my_facade::telemetry\")]; {:?} is not a path",
                        lit.value()
                    ),
                );
                CratePath::default()
            }
        }
    }

    /// For the chain's state (see `chain`): the given path, or nothing
    /// for the default.
    pub fn state(&self) -> TokenStream {
        self.given.to_token_stream()
    }
}

/// Read back from the state a chain over sections carries (see `chain`),
/// where the default is written as nothing.
impl syn::parse::Parse for CratePath {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        Ok(CratePath {
            given: if input.is_empty() {
                None
            } else {
                Some(input.parse()?)
            },
        })
    }
}

impl ToTokens for CratePath {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match &self.given {
            Some(path) => path.to_tokens(tokens),
            None => tokens.extend(quote!(::telemetry_core)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &CratePath) -> String {
        path.to_token_stream().to_string()
    }

    #[test]
    fn default_and_given_paths() {
        let cx = Ctxt::new();
        assert_eq!(text(&CratePath::new(&cx, None)), ":: telemetry_core");
        let lit: LitStr = syn::parse_quote!("my_facade::telemetry");
        assert_eq!(
            text(&CratePath::new(&cx, Some(&lit))),
            "my_facade :: telemetry"
        );
        assert!(cx.check().is_ok());
    }

    #[test]
    fn the_chain_state_reads_back_as_written() {
        let cx = Ctxt::new();
        let lit: LitStr = syn::parse_quote!("::facade::telemetry");
        for path in [CratePath::default(), CratePath::new(&cx, Some(&lit))] {
            let read: CratePath = syn::parse2(path.state()).unwrap();
            assert_eq!(text(&read), text(&path));
        }
        assert!(cx.check().is_ok());
    }

    #[test]
    fn a_literal_that_is_not_a_path_is_an_error() {
        let cx = Ctxt::new();
        let lit: LitStr = syn::parse_quote!("my facade");
        assert_eq!(text(&CratePath::new(&cx, Some(&lit))), ":: telemetry_core");
        let error = cx.check().unwrap_err().to_string();
        assert!(error.contains("\"my facade\" is not a path"), "{error}");
    }
}
