//! The chain: how a derive learns the fields of the sections it holds.
//! `tree` is the data that crosses from one derive to another; this module
//! is the protocol that carries it.
//!
//! A derive sees only its own item. So `#[derive(TelemetrySection)]` on
//! `SystemInfo` also defines a hidden `macro_rules!` macro carrying the
//! section's fields (the `tree` form) and imports it beside the struct
//! under the struct's name, `SystemInfo`. Whatever path or `use` names the type
//! then names the macro too, from any module and in any source order, so a
//! derive holding a `SystemInfo` field invokes `<the field's path>! { .. }`
//! with its own state. The macro hands its data and that state to the
//! `resume!` proc macro, which visits the next section the same way and,
//! after the last one, finishes with the whole tree in hand:
//!
//! ```text
//! #[derive(Telemetry)]  ->  SystemInfo! { state }
//!                       ->  resume! { {SystemInfo's data} state }
//!                       ->  GpuDevice! { state + SystemInfo }  -> ...
//!                       ->  resume! { .. }: the guard, with every field
//! ```
//!
//! Each step is two macro expansions inside the last, so a struct holding
//! more than about 60 distinct section types (directly; nesting does not
//! add up) needs a higher `#![recursion_limit]` than the default 128, as
//! the compiler then says. Letting each section's macro invoke the next
//! one itself, with `resume!` only at the end, would double that number
//! at a cost per build measured in docs/performance.md.
//!
//! A section holding sections composes its own data the same way, where
//! it is declared, so every path resolves in the module that wrote it;
//! its macro is defined once its children are known. The data is plain
//! (names, wire types, why-texts): code generation never needs a
//! section's type from another module. The macro is exported (under a
//! name unique in its crate) and imported with the struct's visibility, so
//! a `pub` section works from another crate as well: the data it carries is
//! complete, its children's paths having been resolved where it was
//! declared.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::parse::{ParseStream, Parser};
use syn::{DeriveInput, LitStr, Token};

pub mod tree;

use crate::crate_path::CratePath;
use crate::docs_format::DocsFormat;
use tree::Section;

/// What a chain finishes into.
pub enum Mode {
    /// The payload's `Derived` expression, with the guard run over the
    /// whole tree.
    Payload(PayloadAttrs),
    /// A section's macro definition, as items.
    Section(Export),
}

/// What the payload's `Derived` expression needs besides the tree. The
/// literals keep their spans for the guard's errors.
pub struct PayloadAttrs {
    pub krate: CratePath,
    pub version: LitStr,
    pub docs: Option<LitStr>,
    pub endpoint: Option<LitStr>,
    pub format: DocsFormat,
    /// `raw_retention_days`, the page's promise of how long the receiver
    /// keeps raw reports.
    pub retention: Option<u64>,
}

/// How a section's macro is named and imported, chosen where its derive
/// runs (a chain finishing elsewhere carries it).
pub struct Export {
    /// The macro's name at the crate root, where `#[macro_export]` puts it.
    pub hidden: Ident,
    /// The struct's, given to the `use` that names the macro like the type.
    pub vis: syn::Visibility,
    /// Where the macro finds `resume!`.
    pub krate: CratePath,
}

impl Export {
    /// A crate-root name distinct for same-named sections of one crate:
    /// the struct's name token and the derive's call site tell them apart
    /// by where they are (what their spans print: expansion and byte
    /// range), also for two sections a `macro_rules!` makes from one name
    /// token. Only this build compares the names.
    pub fn of(input: &syn::DeriveInput, krate: CratePath) -> Export {
        let text = format!("{:?} {:?}", input.ident.span(), Span::call_site());
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        Export {
            hidden: format_ident!("__telemetry_section_{}_{:016x}", input.ident, hash),
            vis: input.vis.clone(),
            krate,
        }
    }
}

impl Mode {
    fn write(&self) -> TokenStream {
        match self {
            Mode::Payload(PayloadAttrs {
                krate,
                version,
                docs,
                endpoint,
                format,
                retention,
            }) => {
                let or_blank = |lit: &Option<LitStr>| match lit {
                    Some(lit) => quote!(#lit),
                    None => quote!(_),
                };
                let docs = or_blank(docs);
                let endpoint = or_blank(endpoint);
                let format = match format {
                    DocsFormat::Markdown => quote!(markdown),
                    DocsFormat::Mdx => quote!(mdx),
                };
                let retention = match retention {
                    Some(days) => {
                        let days = proc_macro2::Literal::u64_unsuffixed(*days);
                        quote!(#days)
                    }
                    None => quote!(_),
                };
                let krate = group(Delimiter::Parenthesis, krate.state());
                quote!(payload #krate #version #docs #endpoint #retention #format)
            }
            Mode::Section(Export { hidden, vis, krate }) => {
                let vis = group(Delimiter::Parenthesis, quote!(#vis));
                let krate = group(Delimiter::Parenthesis, krate.state());
                quote!(section #hidden #vis #krate)
            }
        }
    }

    fn parse(input: ParseStream) -> syn::Result<Mode> {
        let kind: Ident = input.parse()?;
        if kind == "section" {
            let hidden = input.parse()?;
            let (vis, krate);
            syn::parenthesized!(vis in input);
            syn::parenthesized!(krate in input);
            return Ok(Mode::Section(Export {
                hidden,
                vis: vis.parse()?,
                krate: krate.parse()?,
            }));
        }
        let krate;
        syn::parenthesized!(krate in input);
        let krate = krate.parse()?;
        let version = input.parse()?;
        let optional = || -> syn::Result<Option<LitStr>> {
            if input.peek(Token![_]) {
                input.parse::<Token![_]>()?;
                Ok(None)
            } else {
                input.parse().map(Some)
            }
        };
        let docs = optional()?;
        let endpoint = optional()?;
        let retention = if input.peek(Token![_]) {
            input.parse::<Token![_]>()?;
            None
        } else {
            Some(input.parse::<syn::LitInt>()?.base10_parse()?)
        };
        let format: Ident = input.parse()?;
        Ok(Mode::Payload(PayloadAttrs {
            krate,
            version,
            docs,
            endpoint,
            retention,
            format: if format == "mdx" {
                DocsFormat::Mdx
            } else {
                DocsFormat::Markdown
            },
        }))
    }
}

/// What one step of `resume!` comes to.
pub enum Resumed {
    /// The next invocation, a finished section's macro, or an error.
    Tokens(TokenStream),
    /// A payload's chain is done: its whole tree, for the guard (see
    /// `payload::finish`), which this module cannot run without importing
    /// the code generation that imports it.
    Payload(PayloadAttrs, syn::Result<Section>),
}

/// `resume!`: one step of a chain over sections, or its end.
pub fn resume(input: TokenStream) -> Resumed {
    let finished = match step(input) {
        Err(error) => return Resumed::Tokens(error.to_compile_error()),
        Ok(Ok(next)) => return Resumed::Tokens(next),
        Ok(Err(finished)) => finished,
    };
    match finished.mode {
        Mode::Section(ref export) => Resumed::Tokens(match finished.name() {
            Ok(name) => define_section_macro(
                &name,
                export,
                finished.item.clone(),
                finished.children.clone(),
            ),
            Err(error) => error.to_compile_error(),
        }),
        Mode::Payload(attrs) => {
            let tree = Finished::tree(&finished.item, &finished.children);
            Resumed::Payload(attrs, tree)
        }
    }
}

/// A finished chain: the struct's own part and its sections' data, as
/// tokens (a section pastes them into its macro as they are).
struct Finished {
    mode: Mode,
    item: TokenStream,
    children: TokenStream,
}

impl Finished {
    /// The struct's name, the first token of its part.
    fn name(&self) -> syn::Result<Ident> {
        match self.item.clone().into_iter().next() {
            Some(TokenTree::Ident(name)) => Ok(name),
            _ => Err(malformed()),
        }
    }

    /// The whole tree, read.
    fn tree(item: &TokenStream, children: &TokenStream) -> syn::Result<Section> {
        let mut tree = tree::read_section(&mut item.clone().into_iter(), false)
            .map_err(malformed_expecting)?;
        tree.children = tree::read_sections(children.clone()).map_err(malformed_expecting)?;
        Ok(tree)
    }
}

/// Starts the chain over `paths` (distinct, non-empty): invokes the first
/// section's macro with the state that the rest of the chain carries.
pub fn start(mode: &Mode, item: TokenStream, paths: &[&syn::Path]) -> TokenStream {
    let pending: Vec<TokenStream> = paths[1..]
        .iter()
        .map(|path| group(Delimiter::Parenthesis, quote!(#path)))
        .map(|group| quote!(#group))
        .collect();
    invoke(
        paths[0],
        &[
            group(Delimiter::Bracket, mode.write()),
            group(Delimiter::Brace, item),
            group(Delimiter::Bracket, pending.into_iter().collect()),
            group(Delimiter::Bracket, TokenStream::new()),
        ],
    )
}

/// One step of `resume!`: `{new data} [mode] {item} [pending] [done]`.
/// Either the next invocation, or the finished tree.
fn step(input: TokenStream) -> syn::Result<Result<TokenStream, Finished>> {
    let groups: Vec<Group> = input
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => Ok(group),
            _ => Err(malformed()),
        })
        .collect::<syn::Result<_>>()?;
    let [new, mode, item, pending, done] =
        <[Group; 5]>::try_from(groups).map_err(|_| malformed())?;
    let mut done_items: TokenStream = done.stream();
    done_items.extend([TokenTree::Group(new)]);
    let mut pending_paths = pending.stream().into_iter();
    if let Some(TokenTree::Group(next)) = pending_paths.next() {
        let path: syn::Path = syn::parse2(next.stream())?;
        return Ok(Ok(invoke(
            &path,
            &[
                mode,
                item,
                group(Delimiter::Bracket, pending_paths.collect()),
                group(Delimiter::Bracket, done_items),
            ],
        )));
    }
    Ok(Err(Finished {
        mode: Mode::parse.parse2(mode.stream())?,
        item: item.stream(),
        children: done_items,
    }))
}

/// The hidden macro of section `name` carrying its data (`item`, then
/// `[ children ]`: see `tree`), imported beside the struct under the
/// struct's own name and with its visibility: the macro namespace is apart
/// from the type namespace, so the two do not clash, and a path or `use` of
/// the type names both, in this crate or another.
pub fn define_section_macro(
    name: &Ident,
    Export { hidden, vis, krate }: &Export,
    item: TokenStream,
    children: TokenStream,
) -> TokenStream {
    let children = group(Delimiter::Bracket, children);
    // `#[macro_export]` is what lets a `pub use` carry a `macro_rules!`
    // macro out of its crate. It also puts the macro at the crate root,
    // hence the unique name (see `Export`). The `use` of that name reaches
    // only the macro namespace, so it does not clash with the struct
    // (`pub use Name;` would). A section in a function body is fine: the
    // macro is only ever reached through the `use`.
    quote! {
        #[doc(hidden)]
        #[macro_export]
        #[allow(non_local_definitions)]
        macro_rules! #hidden {
            ($($state:tt)*) => {
                #krate::__private::resume! { { #item #children } $($state)* }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #vis use #hidden as #name;
    }
}

/// The marker a holder's derive asserts for a field type it takes for a
/// section or a value enum: a type whose macro this chain invokes.
pub fn nested_marker(input: &DeriveInput, krate: &CratePath) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Never offered as a hint where another type lacks the trait: the
    // message says what to derive.
    quote! {
        #[automatically_derived]
        #[diagnostic::do_not_recommend]
        impl #impl_generics #krate::__private::Nested for #ident #ty_generics #where_clause {}
    }
}

fn malformed_expecting(expected: String) -> syn::Error {
    syn::Error::new(
        proc_macro2::Span::call_site(),
        format!("telemetry-derive: malformed section data, expected {expected}; `resume!` is internal to the derives"),
    )
}

/// Only this crate writes the state; users never should.
fn malformed() -> syn::Error {
    syn::Error::new(
        proc_macro2::Span::call_site(),
        "telemetry-derive: malformed section state; `resume!` is internal to the derives",
    )
}

fn invoke(path: &syn::Path, state: &[Group]) -> TokenStream {
    let state: TokenStream = state.iter().cloned().map(TokenTree::Group).collect();
    let body = group(Delimiter::Brace, state);
    quote!(#path! #body)
}

fn group(delimiter: Delimiter, stream: TokenStream) -> Group {
    Group::new(delimiter, stream)
}
