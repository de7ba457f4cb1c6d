//! Error collection, after serde_derive's `Ctxt`: every check records its
//! error here and carries on, so the user sees all of them in one build.
//! A context must end in [`Ctxt::check`]: dropping one unchecked is a bug
//! in this crate (its errors would be lost), caught in this crate's tests
//! by the panic in `Drop`, as serde's is.

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

pub struct Ctxt {
    /// `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error pointing at `tokens`.
    pub fn error_spanned_by<T: ToTokens, M: Display>(&self, tokens: T, message: M) {
        self.syn_error(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error at one span.
    pub fn error_spanned_at<M: Display>(&self, span: proc_macro2::Span, message: M) {
        self.syn_error(syn::Error::new(span, message));
    }

    pub fn syn_error(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check")
            .push(error);
    }

    pub fn has_errors(&self) -> bool {
        self.errors.borrow().as_ref().is_some_and(|e| !e.is_empty())
    }

    /// All recorded errors as one, or `Ok` when there were none.
    pub fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("telemetry-derive: a Ctxt was dropped without check()");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Ctxt;

    #[test]
    fn errors_are_combined_in_order() {
        let cx = Ctxt::new();
        cx.error_spanned_at(proc_macro2::Span::call_site(), "first");
        cx.error_spanned_at(proc_macro2::Span::call_site(), "second");
        assert!(cx.has_errors());
        let messages: Vec<String> = cx
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    #[should_panic(expected = "dropped without check()")]
    fn an_unchecked_context_cannot_be_dropped() {
        let cx = Ctxt::new();
        cx.error_spanned_at(proc_macro2::Span::call_site(), "lost");
    }
}
