//! Code generation for `#[derive(Telemetry)]`: `Serialize`, `Telemetry`,
//! the value-list assertions and the file tracking that reruns the guard.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{DeriveInput, LitStr};

use crate::ast::{Kind, Payload};
use crate::attr;
use crate::check::{check_payload, SCHEMA_VERSION_KEY};
use crate::crate_path::CratePath;
use crate::ctxt::Ctxt;
use crate::docs::DocsRow;
use crate::docs_format::DocsFormat;
use crate::fallback;
use crate::guard::{self, GuardOutput, Target};
use crate::json_schema;
use crate::nested::{self, Mode, PayloadAttrs};
use crate::shape::WireType;
use crate::tokens;
use crate::tree::{self, Section};
use crate::version::Version;
use crate::wire::type_text;

/// The why-text of the injected `schema_version` row.
pub const SCHEMA_VERSION_WHY: &str = "Lets the receiver parse the right shape.";

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = attr::Container::from_attrs(&cx, &input.attrs);
    let krate = CratePath::new(&cx, attrs.krate.as_ref());
    let payload = Payload::from_ast(&cx, input, Kind::Payload, attrs);
    let version = payload
        .as_ref()
        .and_then(|payload| check_payload(&cx, payload));
    let version_lit = payload
        .as_ref()
        .and_then(|payload| payload.attrs.schema_version.clone());
    let (Some(payload), Some(version), Some(version_lit), false) =
        (payload, version, version_lit, cx.has_errors())
    else {
        return fallback::telemetry(input, &krate, cx.check().err());
    };
    let _ = cx.check();
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
    };
    let paths = section_paths(&payload);
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
        finish_payload(&attrs, &tree)
    } else {
        let item = tree::write_item(payload.ident, false, &fields);
        nested::start(&Mode::Payload(attrs), item, &paths)
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

/// The distinct section paths of a struct's fields, in field order: the
/// order of the chain, and the indices its fields refer to.
pub fn section_paths<'a>(payload: &Payload<'a>) -> Vec<&'a syn::Path> {
    let mut paths: Vec<&syn::Path> = Vec::new();
    for path in payload.fields.iter().filter_map(|field| field.section) {
        if !paths.iter().any(|seen| same_path(seen, path)) {
            paths.push(path);
        }
    }
    paths
}

pub fn same_path(a: &syn::Path, b: &syn::Path) -> bool {
    a.leading_colon.is_some() == b.leading_colon.is_some()
        && a.segments.len() == b.segments.len()
        && a.segments
            .iter()
            .zip(&b.segments)
            .all(|(x, y)| x.ident == y.ident)
}

/// The value-list assertions and the assertions that `paths` are sections,
/// in one item (every item is one more body for the compiler to check).
pub fn struct_checks(
    payload: &Payload,
    krate: &CratePath,
    paths: &[&syn::Path],
) -> Option<TokenStream> {
    let value_checks = value_checks(payload, krate);
    let section_asserts = section_asserts(krate, paths);
    let checks = quote!(#value_checks #section_asserts);
    (!checks.is_empty()).then(|| quote!(const _: () = { #checks };))
}

/// One statement per section type, failing to compile with the
/// `TelemetrySection` diagnostic, at the field's type, when it is not one.
fn section_asserts(krate: &CratePath, paths: &[&syn::Path]) -> TokenStream {
    paths
        .iter()
        .map(|path| {
            quote_spanned! {path_span(path)=>
                #krate::__private::assert_section::<#path>();
            }
        })
        .collect()
}

fn path_span(path: &syn::Path) -> proc_macro2::Span {
    syn::spanned::Spanned::span(path)
}

/// The `Derived` expression of a payload whose tree is complete: the guard
/// runs here, over every field at every depth.
pub fn finish_payload(attrs: &PayloadAttrs, tree: &Section) -> TokenStream {
    let PayloadAttrs {
        krate,
        version: version_lit,
        docs,
        endpoint,
        format,
    } = attrs;
    // A section with errors has reported them; checking the page against
    // a partial tree would only add follow-ups.
    if tree::any_poisoned(&tree.children) {
        return fallback::derived(krate, None);
    }
    let cx = Ctxt::new();
    let version = match Version::parse(&version_lit.value()) {
        Ok(version) => version,
        Err(why) => {
            cx.error_spanned_by(version_lit, why);
            return fallback::derived(krate, cx.check().err());
        }
    };
    let flat = tree::flatten(&tree.fields, &tree.children);
    let shape = tree::shape_of(&flat);
    let ranges = tree::ranges_of(&flat);
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
    let schema_body = json_schema::version_body(&version, &shape, &ranges);
    let guarded = guard::run(
        &cx,
        &Target {
            name: &name,
            version_lit,
            docs_lit: docs.as_ref(),
            format: *format,
            fields: &flat,
            ranges: &ranges,
            schema_body: &schema_body,
        },
        &version,
        &shape,
        &rows,
    );
    let json_schema = json_schema::render_version(&name, &version, &schema_body);
    let errors = cx.check().err().map(|e| e.to_compile_error());
    let derived = derived_expression(
        krate,
        &name,
        version.as_str(),
        endpoint.as_ref(),
        &rows,
        &guarded,
        &json_schema,
    );
    // The guard's errors leave the generated constant intact, so they are
    // the only errors the user sees.
    quote!({ #errors #derived })
}

/// `impl Serialize`: the calls serde's derive makes, in declaration order,
/// a payload's `schema_version` first. Written as source (see `tokens`);
/// rustc reports a field type without `Serialize` at the derive either way.
///
/// There is no `?`: in a function generic over the serializer, each `?`
/// makes the compiler prove `FromResidual` and `From` for the projected
/// error types, which cost 0.35 M instructions per field and 1 M per
/// struct (callgrind, 10 fields in 2 sections: 7.5 M of a 71 M clean
/// build). Each field is one call of a helper that records the first
/// error and skips the fields after it, as short as the `?` form, so a
/// rebuild lexes no more (a `match` per field was as cheap to check but
/// longer to lex). See docs/performance.md.
pub fn impl_serialize(payload: &Payload, krate: &CratePath, version: Option<&str>) -> TokenStream {
    let name = &payload.name;
    let krate = krate.source();
    let mut source = String::with_capacity(400 + 100 * payload.fields.len());
    source.push_str(&format!(
        "#[automatically_derived] impl {krate}::__private::serde::Serialize for {name} {{ \
         fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> \
         where __S: {krate}::__private::serde::Serializer {{ \
         use {krate}::__private::serialize_field as _field; \
         use ::core::result::Result::Err; \
         let mut state = match {krate}::__private::serde::Serializer::serialize_struct(serializer, "
    ));
    tokens::push_str_literal(&mut source, name);
    source.push_str(&format!(
        ", {}) {{ ::core::result::Result::Ok(state) => state, Err(error) => return Err(error) }}; \
         let mut failed = ::core::option::Option::None;",
        payload.fields.len() + usize::from(version.is_some())
    ));
    if let Some(version) = version {
        source.push_str("_field(&mut state, &mut failed, ");
        tokens::push_str_literal(&mut source, SCHEMA_VERSION_KEY);
        source.push_str(", ");
        tokens::push_str_literal(&mut source, version);
        source.push_str(");");
    }
    for field in &payload.fields {
        source.push_str("_field(&mut state, &mut failed, ");
        tokens::push_str_literal(&mut source, &field.wire_name);
        source.push_str(", &self.");
        source.push_str(&field.ident.to_string());
        source.push_str(");");
    }
    source.push_str(&format!(
        "match failed {{ ::core::option::Option::None => \
         {krate}::__private::serde::ser::SerializeStruct::end(state), \
         ::core::option::Option::Some(error) => Err(error) }} }} }}"
    ));
    tokens::parse_generated(&source)
}

/// The `Derived` value, written as source: it is mostly user text in bulk
/// (see `tokens`). A block, so the file tracking sits inside it.
fn derived_expression(
    krate: &CratePath,
    name: &str,
    version: &str,
    endpoint: Option<&syn::LitStr>,
    rows: &[DocsRow],
    guarded: &GuardOutput,
    json_schema: &str,
) -> TokenStream {
    let block = &guarded.block;
    let mut source = String::with_capacity(block.len() + json_schema.len() + 100 * rows.len());
    source.push('{');
    push_tracking(&mut source, guarded);
    // One path to resolve instead of one per row.
    let krate = krate.source();
    source.push_str(&format!(
        "use {krate}::FieldInfo as F; {krate}::__private::Derived {{ name: "
    ));
    tokens::push_str_literal(&mut source, name);
    source.push_str(", schema_version: ");
    tokens::push_str_literal(&mut source, version);
    source.push_str(", endpoint: ");
    match endpoint {
        Some(url) => {
            source.push_str("::core::option::Option::Some(");
            tokens::push_str_literal(&mut source, &url.value());
            source.push(')');
        }
        None => source.push_str("::core::option::Option::None"),
    }
    source.push_str(", fields: &[");
    for DocsRow { name, wire, why } in rows {
        source.push_str("F { name: ");
        tokens::push_str_literal(&mut source, name);
        source.push_str(", wire_type: ");
        tokens::push_str_literal(&mut source, wire);
        source.push_str(", why: ");
        tokens::push_str_literal(&mut source, why);
        source.push_str(" },");
    }
    source.push_str("], docs_table: ");
    tokens::push_str_literal(&mut source, block);
    source.push_str(", json_schema: ");
    tokens::push_str_literal(&mut source, json_schema);
    source.push_str(" } }");
    tokens::parse_generated(&source)
}

/// For each value-enum field, a const assertion that the stated `values`
/// are the enum's wire strings, in order: neither side can drift.
fn value_checks(payload: &Payload, krate: &CratePath) -> TokenStream {
    payload
        .fields
        .iter()
        .filter_map(|field| Some((field, field.attrs.values.as_ref()?)))
        .flat_map(|(field, values_lit)| {
            let Some(WireType::Enum(values)) = innermost(field.wire.as_ref()) else {
                return Vec::new();
            };
            field
                .value_enums
                .iter()
                .map(|ty| {
                    let message = format!(
                        "#[telemetry(values = {:?})] on field `{}` does not match the TelemetryValue variants of `{}`: \
                         list its wire strings in declaration order",
                        values_lit.value(),
                        field.ident,
                        type_text(ty)
                    );
                    quote_spanned! {values_lit.span()=>
                        if !#krate::__private::same_values(
                            <#ty as #krate::TelemetryValue>::VALUES,
                            &[#(#values),*],
                        ) {
                            ::core::panic!(#message);
                        }
                    }
                })
                .collect()
        })
        .collect()
}

fn innermost(wire: Option<&WireType>) -> Option<&WireType> {
    match wire? {
        WireType::Array(inner) | WireType::Map(inner) | WireType::Nullable(inner) => {
            innermost(Some(inner))
        }
        other => Some(other),
    }
}

/// Cargo does not know a proc macro read a file or variable; rustc does
/// know what `include_bytes!` and `option_env!` read, so changing either
/// reruns the derive. Expansion is what records them: the constant they
/// sit in need never be evaluated.
fn push_tracking(source: &mut String, guarded: &GuardOutput) {
    let mut files: Vec<String> = guarded
        .tracked
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    for file in &files {
        source.push_str("::core::include_bytes!(");
        tokens::push_str_literal(source, file);
        source.push_str(");");
    }
    for var in &guarded.tracked_env {
        source.push_str("::core::option_env!(");
        tokens::push_str_literal(source, var);
        source.push_str(");");
    }
}
