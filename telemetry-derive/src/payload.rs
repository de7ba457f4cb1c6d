//! Code generation for `#[derive(Telemetry)]`: the payload's `Serialize`
//! (see `ser`), its `Telemetry` impl with the guard's `Derived` constant,
//! and the file tracking that reruns the guard. With sections, the
//! constant is finished at the end of the chain over them (see `chain`).

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::quote;
use syn::{DeriveInput, LitStr};

use crate::ast::{Kind, Struct};
use crate::attr;
use crate::chain::tree::{self, Section};
use crate::chain::{self, Mode, PayloadAttrs};
use crate::check::check_struct;
use crate::crate_path::CratePath;
use crate::ctxt::Ctxt;
use crate::docs::DocsRow;
use crate::docs_format::DocsFormat;
use crate::fallback;
use crate::guard::{self, GuardOutput, Target};
use crate::json_schema::{self, Notes};
use crate::ser::{impl_serialize, section_asserts, struct_checks};
use crate::shape::{WireType, SCHEMA_VERSION_KEY};
use crate::tokens;
use crate::version::Version;

/// The why-text of the injected `schema_version` row.
pub const SCHEMA_VERSION_WHY: &str = "Lets the receiver parse the right shape.";

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = attr::Container::from_attrs(&cx, &input.attrs);
    let krate = CratePath::new(&cx, attrs.krate.as_ref());
    let payload = Struct::from_ast(&cx, input, Kind::Payload, attrs);
    let version = payload
        .as_ref()
        .and_then(|payload| check_struct(&cx, payload));
    if let Err(errors) = cx.check() {
        return fallback::telemetry(input, &krate, Some(errors));
    }
    // Without errors there is a payload with a valid version.
    let (Some(payload), Some(version)) = (payload, version) else {
        return fallback::telemetry(input, &krate, None);
    };
    let Some(version_lit) = payload.attrs.schema_version.clone() else {
        return fallback::telemetry(input, &krate, None);
    };
    let docs = payload.attrs.docs.clone();
    let format = DocsFormat::of(
        &docs.as_ref().map(LitStr::value).unwrap_or_default(),
        payload
            .attrs
            .docs_format
            .as_ref()
            .map(LitStr::value)
            .as_deref(),
    )
    .unwrap_or(DocsFormat::Markdown);
    let attrs = PayloadAttrs {
        krate: krate.clone(),
        version: version_lit,
        docs,
        endpoint: payload.attrs.endpoint.clone(),
        format,
        retention: payload
            .attrs
            .raw_retention_days
            .as_ref()
            .and_then(|days| days.base10_parse().ok()),
    };
    let paths = payload.section_paths();
    let fields = tree::fields_of(&payload, &paths);
    // Without sections the tree is complete here; with them, each
    // section's macro adds its part and the last step finishes it.
    let derived = if paths.is_empty() {
        let tree = Section {
            name: payload.ident.clone(),
            poisoned: false,
            fields,
            children: Vec::new(),
        };
        finish(&attrs, &tree)
    } else {
        let item = tree::write_item(payload.ident, false, &fields);
        chain::start(&Mode::Payload(attrs), item, &paths)
    };
    let serialize = impl_serialize(&payload, &krate, Some(version.as_str()));
    let name = payload.ident;
    // The section assertions are trait bounds, checked whether or not the
    // constant is evaluated, so they sit in its body; the value checks
    // must be evaluated, so they get a `const _` of their own.
    let section_asserts = section_asserts(&krate, &paths);
    let value_checks = struct_checks(&payload, &krate, &[]);
    quote! {
        #serialize
        #[automatically_derived]
        impl #krate::Telemetry for #name {
            const __DERIVED: #krate::__private::Derived = { #section_asserts #derived };
        }
        #value_checks
    }
}

/// The end of a payload's chain over its sections (see `chain::resume`).
pub fn finish_chain(attrs: &PayloadAttrs, tree: syn::Result<Section>) -> TokenStream {
    match tree {
        Ok(tree) => finish(attrs, &tree),
        Err(error) => fallback::derived(&attrs.krate, Some(error)),
    }
}

/// The `Derived` expression of a payload whose tree is complete: the guard
/// runs here, over every field at every depth.
pub fn finish(attrs: &PayloadAttrs, tree: &Section) -> TokenStream {
    let PayloadAttrs {
        krate,
        version: version_lit,
        docs,
        endpoint,
        format,
        retention,
    } = attrs;
    let cx = Ctxt::new();
    let version = match Version::parse(&version_lit.value()) {
        Ok(version) => version,
        Err(why) => {
            cx.error_spanned_by(version_lit, why);
            return fallback::derived(krate, cx.check().err());
        }
    };
    let flat = tree::flatten(&tree.fields, &tree.children);
    check_keys_distinct(&cx, tree, &flat);
    for (ident, wire_name) in flat.iter().filter_map(|field| field.lint_name.as_ref()) {
        if let Some(error) = crate::privacy::name_finding(ident, wire_name) {
            cx.syn_error(error);
        }
    }
    let shape = tree::shape_of(&flat);
    let bounds: BTreeMap<String, Notes> = flat
        .iter()
        .map(|field| {
            let notes = Notes {
                bounds: field.bounds,
                why: field.why.clone(),
            };
            (field.path.clone(), notes)
        })
        .collect();
    let mut rows = vec![DocsRow {
        name: SCHEMA_VERSION_KEY,
        wire: WireType::String.display(),
        why: SCHEMA_VERSION_WHY.into(),
    }];
    rows.extend(flat.iter().map(|field| DocsRow {
        name: &field.path,
        wire: field.wire.display(),
        why: field.why.as_str().into(),
    }));
    let name = tree.name.to_string();
    let schema_body = json_schema::version_body(&version, &shape, &bounds);
    let guarded = guard::run(
        &cx,
        &Target {
            name: &name,
            version_lit,
            docs_lit: docs.as_ref(),
            format: *format,
            fields: &flat,
            bounds: &bounds,
            retention: *retention,
            sections_have_errors: tree::any_poisoned(&tree.children),
            schema_body: &schema_body,
        },
        &version,
        &shape,
        &rows,
    );
    let errors = cx.check().err();
    let Some(guarded) = guarded else {
        return fallback::derived(krate, errors);
    };
    let json_schema = json_schema::render_version(&name, &version, &schema_body);
    let derived = Derived {
        name: &name,
        version: version.as_str(),
        endpoint: endpoint.as_ref(),
        rows: &rows,
        guarded: &guarded,
        json_schema: &json_schema,
    };
    // The guard's errors leave the generated constant intact, so they are
    // the only errors the user sees.
    let errors = errors.map(|e| e.to_compile_error());
    let derived = derived.expression(krate);
    quote!({ #errors #derived })
}

/// A `#[serde(flatten)]` section's keys are its holder's: one may be
/// another's (each struct checked its own names already, so without a
/// flatten there is nothing to check).
fn check_keys_distinct(cx: &Ctxt, tree: &Section, flat: &[tree::FlatField]) {
    if !tree::any_flattened(&tree.fields, &tree.children) {
        return;
    }
    // Ordered, as in `check`: paths are long, and hashing them dearer.
    let mut seen = std::collections::BTreeSet::new();
    for field in flat {
        if !seen.insert(field.path.as_str()) {
            cx.error_spanned_at(
                field.span,
                format!(
                    "`{}` is sent twice: a #[serde(flatten)] section writes its fields as its holder's, \
                     and one of them has this name; rename one of them",
                    field.path
                ),
            );
        }
    }
}

/// What the `Derived` constant holds.
struct Derived<'a> {
    name: &'a str,
    version: &'a str,
    endpoint: Option<&'a LitStr>,
    rows: &'a [DocsRow<'a>],
    guarded: &'a GuardOutput,
    json_schema: &'a str,
}

impl Derived<'_> {
    /// A block, so the file tracking sits inside it. The rows and the long
    /// texts (docs block, JSON Schema) grow with the payload and are lexed
    /// as source (see `tokens`); the rest is `quote!`.
    fn expression(&self, krate: &CratePath) -> TokenStream {
        let tracking = tracking(self.guarded);
        // A group of its own, spliced as one token: the rows are not copied.
        let rows = Group::new(Delimiter::Bracket, field_rows(self.rows));
        let (name, version) = (self.name, self.version);
        let endpoint = match self.endpoint {
            Some(url) => {
                let url = url.value();
                quote!(::core::option::Option::Some(#url))
            }
            None => quote!(::core::option::Option::None),
        };
        let docs_table = tokens::str_literal(&self.guarded.block);
        let json_schema = tokens::str_literal(self.json_schema);
        quote!({
            #tracking
            use #krate::FieldInfo as F;
            #krate::__private::Derived {
                name: #name,
                schema_version: #version,
                endpoint: #endpoint,
                fields: &#rows,
                docs_table: #docs_table,
                json_schema: #json_schema,
            }
        })
    }
}

/// `F { name, wire_type, why },` per docs row, as one lexed text.
fn field_rows(rows: &[DocsRow]) -> TokenStream {
    let mut source = String::with_capacity(100 * rows.len());
    for DocsRow { name, wire, why } in rows {
        source.push_str("F { name: ");
        tokens::push_str_literal(&mut source, name);
        source.push_str(", wire_type: ");
        tokens::push_str_literal(&mut source, wire);
        source.push_str(", why: ");
        tokens::push_str_literal(&mut source, why);
        source.push_str(" },");
    }
    tokens::parse_generated(&source)
}

/// Cargo does not know a proc macro read a file or variable; rustc does
/// know what `include_bytes!` and `option_env!` read, so changing either
/// reruns the derive. Expansion is what records them: the constant they
/// sit in need never be evaluated.
fn tracking(guarded: &GuardOutput) -> TokenStream {
    let mut files: Vec<String> = guarded
        .tracked
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let files = files
        .iter()
        .map(|file| quote!(::core::include_bytes!(#file);));
    let vars = guarded
        .tracked_env
        .iter()
        .map(|var| quote!(::core::option_env!(#var);));
    quote!(#(#files)* #(#vars)*)
}
