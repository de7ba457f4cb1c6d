//! The JSON Schema's unit tests.

use super::*;
use serde_json::{json, Value};

/// Bounds by path, without why-texts.
fn notes<const N: usize>(pairs: [(String, Bounds); N]) -> BTreeMap<String, Notes> {
    pairs
        .into_iter()
        .map(|(path, bounds)| {
            let why = String::new();
            (path, Notes { bounds, why })
        })
        .collect()
}

fn render_standalone(version: &Version, shape: &Shape, by_path: NotesByPath) -> String {
    render_version("Report", version, &version_body(version, shape, by_path))
}

#[test]
fn a_version_is_closed_and_fully_required() {
    let shape = Shape::of(&[
        ("tier", WireType::Enum(vec!["a".into(), "b".into()])),
        ("counts", WireType::Map(Box::new(WireType::Integer))),
    ]);
    let text = render_standalone(&Version::parse("1.2").unwrap(), &shape, &BTreeMap::new());
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["$schema"], DRAFT);
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        schema["required"],
        json!(["schema_version", "tier", "counts"])
    );
    assert_eq!(
        schema["properties"]["schema_version"],
        json!({ "const": "1.2" })
    );
    assert_eq!(schema["properties"]["tier"], json!({ "enum": ["a", "b"] }));
    assert_eq!(
        schema["properties"]["counts"],
        json!({ "type": "object", "additionalProperties": { "type": "integer" } })
    );
}

#[test]
fn sections_are_closed_objects_at_every_level() {
    let wire = |text| WireType::parse_canonical(text).unwrap();
    let shape = Shape::of(&[
        ("system", wire("object")),
        ("system.distribution", wire("string | null")),
        ("system.cpu", wire("object")),
        ("system.cpu.cores", wire("integer")),
        ("gpus", wire("object[] | null")),
        ("gpus[].model", wire("string")),
        ("clusters", wire("map<string, object>")),
        ("clusters.*.nodes", wire("integer")),
        ("count", wire("integer")),
    ]);
    let by_path = notes([("clusters.*.nodes".to_owned(), Bounds::of_type("u16"))]);
    let text = render_standalone(&Version::parse("1.0").unwrap(), &shape, &by_path);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["required"],
        json!(["schema_version", "system", "gpus", "clusters", "count"])
    );
    let system = &schema["properties"]["system"];
    assert_eq!(system["additionalProperties"], false);
    assert_eq!(system["required"], json!(["distribution", "cpu"]));
    assert_eq!(
        system["properties"]["distribution"],
        json!({ "anyOf": [{ "type": "string" }, { "type": "null" }] })
    );
    assert_eq!(
        system["properties"]["cpu"],
        json!({
            "type": "object",
            "properties": { "cores": { "type": "integer" } },
            "required": ["cores"],
            "additionalProperties": false
        })
    );
    let gpus = &schema["properties"]["gpus"]["anyOf"][0];
    assert_eq!(gpus["type"], "array");
    assert_eq!(gpus["items"]["required"], json!(["model"]));
    let clusters = &schema["properties"]["clusters"]["additionalProperties"];
    assert_eq!(
        clusters["properties"]["nodes"],
        json!({ "type": "integer", "minimum": 0, "maximum": 65535 })
    );
    assert_eq!(
        schema["properties"]["count"],
        json!({ "type": "integer" }),
        "no bounds given"
    );
}

#[test]
fn the_file_lists_every_version() {
    let shape = Shape::default();
    let releases = [
        (Version::parse("1.0").unwrap(), shape.clone()),
        (Version::parse("2.0").unwrap(), shape),
    ];
    let file: Value = serde_json::from_str(&render_file(
        "Report",
        &releases,
        &BTreeMap::new(),
        None,
        None,
    ))
    .unwrap();
    let consts: Vec<&Value> = file["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["properties"]["schema_version"]["const"])
        .collect();
    assert_eq!(consts, ["1.0", "2.0"]);
}

#[test]
fn the_spliced_body_is_what_rendering_writes() {
    let wire = |text| WireType::parse_canonical(text).unwrap();
    let shape = Shape::of(&[
        ("system", wire("object")),
        ("system.cores", wire("integer | null")),
        ("gpus", wire("object[]")),
        ("gpus[].model", wire("string")),
    ]);
    let older = Shape::of(&[
        ("system", wire("object")),
        ("system.cores", wire("integer")),
    ]);
    let by_path = notes([("system.cores".to_owned(), Bounds::of_type("u8"))]);
    let [v1, v2] = ["1.0", "1.1"].map(|v| Version::parse(v).unwrap());
    let releases = [(v1, older), (v2.clone(), shape.clone())];
    let body = version_body(&v2, &shape, &by_path);
    let current = Current {
        version: &v2,
        shape: &shape,
        body: &body,
    };
    let rendered = render_file("Report", &releases, &by_path, None, None);
    assert_eq!(
        render_file("Report", &releases, &by_path, None, Some(&current)),
        rendered
    );
    // The standalone schema is the file's entry for that version.
    let file: Value = serde_json::from_str(&rendered).unwrap();
    let mut standalone: Value =
        serde_json::from_str(&render_version("Report", &v2, &body)).unwrap();
    standalone.as_object_mut().unwrap().remove("$schema");
    assert_eq!(file["oneOf"][1], standalone);
}

#[test]
fn flattened_enums_are_alternatives_closed_by_their_holder() {
    let wire = |text| WireType::parse_canonical(text).unwrap();
    // A record flattening an internally tagged enum and one of serde's
    // default tagging.
    let shape = Shape::of(&[
        ("records", wire("object[]")),
        ("records[].seq", wire("integer")),
        ("records[].(type = \"saved\")", wire("object")),
        ("records[].(type = \"saved\").ext", wire("string")),
        ("records[].(type = \"idle\")", wire("\"idle\"")),
        ("records[].(workers)", wire("integer")),
        ("records[].(started)", wire("\"started\"")),
    ]);
    let text = render_standalone(&Version::parse("1.0").unwrap(), &shape, &BTreeMap::new());
    let schema: Value = serde_json::from_str(&text).unwrap();
    let record = &schema["properties"]["records"]["items"];
    assert_eq!(
        record["properties"],
        json!({ "seq": { "type": "integer" } })
    );
    assert_eq!(record["required"], json!(["seq"]));
    assert_eq!(record["unevaluatedProperties"], false);
    assert!(record.get("additionalProperties").is_none(), "{record:#}");
    let [internal, external] = [&record["allOf"][0]["oneOf"], &record["allOf"][1]["oneOf"]];
    assert_eq!(
        internal,
        &json!([
            {
                "type": "object",
                "properties": { "type": { "const": "saved" }, "ext": { "type": "string" } },
                "required": ["type", "ext"]
            },
            {
                "type": "object",
                "properties": { "type": { "const": "idle" } },
                "required": ["type"]
            }
        ])
    );
    // Serde flattens a unit variant of its default tagging to `"started": null`.
    assert_eq!(
        external,
        &json!([
            {
                "type": "object",
                "properties": { "workers": { "type": "integer" } },
                "required": ["workers"]
            },
            {
                "type": "object",
                "properties": { "started": { "type": "null" } },
                "required": ["started"]
            }
        ])
    );
}

#[test]
fn lists_and_strings_are_bounded_as_their_rust_types() {
    let wire = |text| WireType::parse_canonical(text).unwrap();
    let shape = Shape::of(&[
        ("packs", wire("string[]")),
        ("samples", wire("integer[][]")),
        ("counts", wire("map<string, integer>")),
    ]);
    let packs = Bounds {
        unique_items: true,
        max_length: Some(64),
        ..Bounds::default()
    };
    let samples = Bounds {
        items: Some(2),
        ..Bounds::of_type("u8")
    };
    let counts = Bounds {
        max_length: Some(32),
        ..Bounds::default()
    };
    let by_path = notes([
        ("packs".to_owned(), packs),
        ("samples".to_owned(), samples),
        ("counts".to_owned(), counts),
    ]);
    let text = render_standalone(&Version::parse("1.0").unwrap(), &shape, &by_path);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["properties"]["packs"],
        json!({ "type": "array", "items": { "type": "string", "maxLength": 64 }, "uniqueItems": true })
    );
    // The innermost list is the fixed one: `Vec<[u8; 2]>`.
    assert_eq!(
        schema["properties"]["samples"],
        json!({
            "type": "array",
            "items": {
                "type": "array",
                "items": { "type": "integer", "minimum": 0, "maximum": 255 },
                "minItems": 2,
                "maxItems": 2
            }
        })
    );
    assert_eq!(
        schema["properties"]["counts"],
        json!({
            "type": "object",
            "propertyNames": { "maxLength": 32 },
            "additionalProperties": { "type": "integer" }
        })
    );
}

#[test]
fn why_texts_are_descriptions() {
    let shape = Shape::of(&[
        ("os", WireType::String),
        (
            "retries",
            WireType::MayBeAbsent(Box::new(WireType::Integer)),
        ),
    ]);
    let by_path = BTreeMap::from([
        (
            "os".to_owned(),
            Notes {
                bounds: Bounds::default(),
                why: "The OS family, to know which builds to ship.".to_owned(),
            },
        ),
        (
            "retries".to_owned(),
            Notes {
                bounds: Bounds::of_type("u8"),
                why: "Retries, absent when none.".to_owned(),
            },
        ),
    ]);
    let text = render_standalone(&Version::parse("1.0").unwrap(), &shape, &by_path);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["properties"]["os"],
        json!({ "description": "The OS family, to know which builds to ship.", "type": "string" })
    );
    assert_eq!(
        schema["properties"]["retries"],
        json!({ "description": "Retries, absent when none.", "type": "integer", "minimum": 0, "maximum": 255 })
    );
    assert_eq!(schema["required"], json!(["schema_version", "os"]));
}

#[test]
fn the_file_states_the_retention_promise() {
    let shape = Shape::of(&[("os", WireType::String)]);
    let releases = [(Version::parse("1.0").unwrap(), shape)];
    let file: Value = serde_json::from_str(&render_file(
        "Report",
        &releases,
        &BTreeMap::new(),
        Some(90),
        None,
    ))
    .unwrap();
    assert_eq!(file[RETENTION_KEY], 90);
    let without: Value = serde_json::from_str(&render_file(
        "Report",
        &releases,
        &BTreeMap::new(),
        None,
        None,
    ))
    .unwrap();
    assert!(without.get(RETENTION_KEY).is_none());
}
