//! The guard's lifecycle as pure data: no files, no cargo.

use super::*;
use crate::docs::DocsRow;
use crate::docs_format::DocsFormat;
use crate::shape::WireType;

#[derive(Default)]
struct Files {
    docs: Option<String>,
    history: Option<String>,
    schema: Option<String>,
}

struct Payload {
    builder: Builder,
    version: Version,
    fields: Vec<(&'static str, WireType, &'static str)>,
    renames: Vec<(String, String)>,
    retention: Option<u64>,
}

impl Payload {
    fn new(version: &str, fields: &[(&'static str, WireType, &'static str)]) -> Self {
        Payload {
            builder: Builder::Authors,
            version: Version::parse(version).unwrap(),
            fields: fields.to_vec(),
            renames: Vec::new(),
            retention: None,
        }
    }

    fn shape(&self) -> Shape {
        let pairs: Vec<(&str, WireType)> = self
            .fields
            .iter()
            .map(|(name, wire, _)| (*name, wire.clone()))
            .collect();
        Shape::of(&pairs)
    }

    /// Runs the rules; under bless, applies the writes to `files`.
    fn build(&self, files: &mut Files, bless: Bless) -> Vec<String> {
        let shape = self.shape();
        let rows: Vec<DocsRow> = self
            .fields
            .iter()
            .map(|(name, wire, why)| DocsRow {
                name,
                wire: wire.display(),
                why: (*why).into(),
            })
            .collect();
        let verdict = evaluate(&GuardInput {
            payload: "Report",
            builder: self.builder,
            sections_have_errors: false,
            format: DocsFormat::Markdown,
            version: &self.version,
            shape: &shape,
            renames: &self.renames,
            bounds: &Default::default(),
            retention: self.retention,
            schema_body: &crate::json_schema::version_body(
                &self.version,
                &shape,
                &Default::default(),
            ),
            rows: &rows,
            docs_path: "docs/telemetry.md",
            history_path: "docs/Report.schema-history",
            schema_path: "docs/Report.schema.json",
            docs: files.docs.as_deref(),
            history: files.history.as_deref(),
            schema: files.schema.as_deref(),
            bless,
        });
        for (file, written) in [
            (&mut files.docs, verdict.write_docs),
            (&mut files.history, verdict.write_history),
            (&mut files.schema, verdict.write_schema),
        ] {
            if written.is_some() {
                *file = written;
            }
        }
        verdict
            .findings
            .into_iter()
            .map(|f| match f.site {
                Site::Field(path) => format!("at `{path}`: {}", f.message),
                _ => f.message,
            })
            .collect()
    }
}

#[track_caller]
fn assert_one_error(errors: &[String], expected: &[&str]) {
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    for part in expected {
        assert!(errors[0].contains(part), "{:?} lacks {part:?}", errors[0]);
    }
}

fn v1() -> Payload {
    Payload::new(
        "1.0",
        &[
            ("version", WireType::String, "Which versions run."),
            ("clusters", WireType::Integer, "How many clusters."),
        ],
    )
}

#[test]
fn lifecycle() {
    let mut files = Files::default();
    let errors = v1().build(&mut files, Bless::Off);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("no schema history yet") && errors[0].contains(BLESS_COMMAND));
    assert!(errors[1].contains("does not exist") && errors[1].contains(BLESS_COMMAND));

    assert_eq!(v1().build(&mut files, Bless::On), Vec::<String>::new());
    assert!(files
        .history
        .as_deref()
        .unwrap()
        .contains("[1.0]\nversion: string\nclusters: integer\n"));
    assert_eq!(v1().build(&mut files, Bless::Off), Vec::<String>::new());

    // Adding a field without a bump fails, with or without bless.
    let mut added = v1();
    added.fields.push(("gpus", WireType::Integer, "GPU count."));
    for bless in [Bless::Off, Bless::On] {
        let errors = added.build(&mut files, bless);
        assert!(errors[0].contains("+ gpus: integer"), "{errors:#?}");
        assert!(
            errors[0].contains("still \"1.0\"")
                && errors[0].contains("bump schema_version to \"1.1\"")
        );
    }

    // Bump: fails until blessed, then passes with the new row and version.
    added.version = Version::parse("1.1").unwrap();
    let errors = added.build(&mut files, Bless::Off);
    assert!(
        errors[0].contains("\"1.1\" of Report is not recorded")
            && errors[0].contains("+ gpus: integer")
    );
    assert_eq!(added.build(&mut files, Bless::On), Vec::<String>::new());
    assert!(files
        .docs
        .as_deref()
        .unwrap()
        .contains("| `gpus` | `integer` | GPU count. |"));
    assert!(files
        .history
        .as_deref()
        .unwrap()
        .ends_with("[1.1]\nversion: string\nclusters: integer\ngpus: integer\n"));
    assert_eq!(added.build(&mut files, Bless::Off), Vec::<String>::new());
    assert!(files
        .docs
        .as_deref()
        .unwrap()
        .contains("- **1.1**: `+ gpus: integer`\n- **1.0**: first version\n"));
    let schema = files.schema.clone().unwrap();
    assert!(schema.contains("\"const\": \"1.0\"") && schema.contains("\"const\": \"1.1\""));

    // The JSON Schema is generated, so a hand edit fails until bless.
    files.schema = Some(schema.replace("\"integer\"", "\"number\""));
    assert_one_error(
        &added.build(&mut files, Bless::Off),
        &["Report.schema.json is out of date"],
    );
    assert_eq!(added.build(&mut files, Bless::On), Vec::<String>::new());
    assert_eq!(files.schema.as_deref(), Some(schema.as_str()));

    // A why-text change needs bless, but no bump.
    added.fields[2].2 = "How many GPUs.";
    assert_one_error(
        &added.build(&mut files, Bless::Off),
        &["row 3 (`gpus`) differs", "How many GPUs."],
    );
    assert_eq!(added.build(&mut files, Bless::On), Vec::<String>::new());
    assert_eq!(added.build(&mut files, Bless::Off), Vec::<String>::new());

    // A type change with a minor bump asks for a major one.
    let mut retyped = Payload::new("1.2", &added.fields);
    retyped.fields[1].1 = WireType::String;
    for bless in [Bless::Off, Bless::On] {
        let errors = retyped.build(&mut files, bless);
        assert!(
            errors[0].contains("~ clusters: integer -> string")
                && errors[0].contains("use \"2.0\"")
        );
    }
    retyped.version = Version::parse("2.0").unwrap();
    assert_eq!(retyped.build(&mut files, Bless::On), Vec::<String>::new());

    // Going back below a recorded version fails.
    let old = Payload::new("1.5", &retyped.fields);
    assert_one_error(
        &old.build(&mut files, Bless::On),
        &["versions only go up", "\"2.0\""],
    );
}

#[test]
fn a_retention_change_is_recorded_without_a_bump_and_shown_in_the_changelog() {
    let mut files = Files::default();
    let mut payload = v1();
    payload.retention = Some(90);
    assert_eq!(payload.build(&mut files, Bless::On), Vec::<String>::new());
    assert!(files
        .history
        .as_ref()
        .unwrap()
        .ends_with("! raw_retention_days = 90\n"));
    let docs = files.docs.clone().unwrap();
    assert!(
        docs.contains("**1.0**: first version; raw reports kept 90 days"),
        "{docs}"
    );
    assert!(docs.contains("for **90 days**"), "{docs}");

    payload.retention = Some(30);
    let errors = payload.build(&mut files, Bless::Off);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains(
            "raw_retention_days of Report is 30 but docs/Report.schema-history records 90"
        ) && errors[0].contains("no version bump"),
        "{errors:#?}"
    );
    assert!(
        errors[1].contains("docs/telemetry.md does not match"),
        "{errors:#?}"
    );
    assert_eq!(payload.build(&mut files, Bless::On), Vec::<String>::new());
    let history = files.history.clone().unwrap();
    assert!(
        history.ends_with("! raw_retention_days = 90\n! raw_retention_days = 30\n"),
        "{history}"
    );
    assert!(files.docs.as_ref().unwrap().contains(
        "**1.0**: first version; raw reports kept 90 days; raw reports kept 30 days (was 90 days)"
    ));
    assert_eq!(payload.build(&mut files, Bless::Off), Vec::<String>::new());

    // A new version records its retention change in its own section.
    let mut v2 = Payload::new(
        "1.1",
        &[
            ("version", WireType::String, "Which versions run."),
            ("clusters", WireType::Integer, "How many clusters."),
            ("nodes", WireType::Integer, "How many nodes."),
        ],
    );
    v2.retention = None;
    assert_eq!(v2.build(&mut files, Bless::On), Vec::<String>::new());
    assert!(files.history.as_ref().unwrap().ends_with(
        "[1.1]\nversion: string\nclusters: integer\nnodes: integer\n! raw_retention_days = none\n"
    ));
    assert!(files.docs.as_ref().unwrap().contains(
        "**1.1**: `+ nodes: integer`; raw report retention no longer stated (was 30 days)"
    ));
    assert_eq!(v2.build(&mut files, Bless::Off), Vec::<String>::new());
}

#[test]
fn a_key_that_may_be_absent_is_recorded_and_changing_it_breaks() {
    let mut files = Files::default();
    assert_eq!(v1().build(&mut files, Bless::On), Vec::<String>::new());
    let mut absent = Payload::new("1.1", &v1().fields);
    absent.fields[1].1 = WireType::MayBeAbsent(Box::new(WireType::Integer));
    let errors = absent.build(&mut files, Bless::On);
    assert!(
        errors[0].contains("~ clusters: integer -> integer | absent")
            && errors[0].contains("use \"2.0\""),
        "{errors:#?}"
    );
    absent.version = Version::parse("2.0").unwrap();
    assert_eq!(absent.build(&mut files, Bless::On), Vec::<String>::new());
    let history = files.history.as_deref().unwrap();
    assert!(
        history.contains("[2.0]\nversion: string\nclusters: integer | absent\n"),
        "{history}"
    );
    let docs = files.docs.as_deref().unwrap();
    assert!(docs.contains("integer \\| absent"), "{docs}");
    let schema: serde_json::Value = serde_json::from_str(files.schema.as_deref().unwrap()).unwrap();
    let newest = schema["oneOf"]
        .as_array()
        .and_then(|all| all.last())
        .cloned();
    let newest = newest.unwrap_or(schema);
    assert!(
        newest
            .to_string()
            .contains(r#""required":["schema_version","version"]"#),
        "{newest}"
    );
}

#[test]
fn others_building_without_the_files_check_and_write_nothing() {
    let mut others = v1();
    others.builder = Builder::Others;
    for bless in [Bless::Off, Bless::On] {
        let mut files = Files::default();
        assert_eq!(others.build(&mut files, bless), Vec::<String>::new());
        assert!(files.docs.is_none() && files.history.is_none() && files.schema.is_none());
    }
    // With the files there, anyone's build checks them.
    let mut files = Files::default();
    v1().build(&mut files, Bless::On);
    others
        .fields
        .push(("gpus", WireType::Integer, "GPU count."));
    assert!(others.build(&mut files, Bless::Off)[0].contains("+ gpus: integer"));
}

#[test]
fn a_section_with_errors_stops_the_guard() {
    let shape = v1().shape();
    let version = Version::parse("1.0").unwrap();
    let verdict = evaluate(&GuardInput {
        payload: "Report",
        builder: Builder::Authors,
        sections_have_errors: true,
        format: DocsFormat::Markdown,
        version: &version,
        shape: &shape,
        renames: &[],
        bounds: &Default::default(),
        retention: None,
        schema_body: "",
        rows: &[],
        docs_path: "docs/telemetry.md",
        history_path: "docs/Report.schema-history",
        schema_path: "docs/Report.schema.json",
        docs: None,
        history: None,
        schema: None,
        bless: Bless::On,
    });
    assert_eq!(verdict.skipped, Some(Skipped::SectionErrors));
    assert!(verdict.findings.is_empty() && verdict.write_docs.is_none());
}

#[test]
fn bless_on_ci_checks_only_and_says_why() {
    let mut files = Files::default();
    let errors = v1().build(&mut files, Bless::RefusedOnCi);
    assert!(errors[0].contains("CI is set"), "{errors:#?}");
    assert_eq!(errors.len(), 3);
    assert!(files.docs.is_none() && files.history.is_none());
}

#[test]
fn hand_edits_of_the_block_fail_and_prose_survives_bless() {
    let mut files = Files {
        docs: Some("# Page\n\nIntro   prose.\n".to_owned()),
        ..Files::default()
    };
    assert_eq!(v1().build(&mut files, Bless::On), Vec::<String>::new());
    let blessed = files.docs.clone().unwrap();
    assert!(blessed.starts_with("# Page\n\nIntro   prose.\n\n<!-- telemetry:begin Report"));
    let edited = blessed.replace("How many clusters.", "How many clusters?");
    files.docs = Some(format!("{edited}\nOutro.\n"));
    assert_one_error(
        &v1().build(&mut files, Bless::Off),
        &["row 2 (`clusters`) differs"],
    );
    assert_eq!(v1().build(&mut files, Bless::On), Vec::<String>::new());
    assert_eq!(files.docs.unwrap(), format!("{blessed}\nOutro.\n"));
}

#[test]
fn rename_is_reported_as_one_breaking_change() {
    let mut files = Files::default();
    v1().build(&mut files, Bless::On);
    let mut renamed = Payload::new(
        "1.1",
        &[
            ("version", WireType::String, "Which versions run."),
            ("cluster_count", WireType::Integer, "How many clusters."),
        ],
    );
    renamed.renames = vec![("cluster_count".to_owned(), "clusters".to_owned())];
    let errors = renamed.build(&mut files, Bless::On);
    assert_one_error(
        &errors[..1],
        &[
            "~ clusters -> cluster_count (renamed)",
            "needs a major bump",
        ],
    );
    // The field itself is pointed at too.
    assert_eq!(
        errors[1..],
        ["at `cluster_count`: `~ clusters -> cluster_count (renamed)` breaks receivers of \"1.0\", \
          so schema_version \"1.1\" needs a major bump: use \"2.0\""]
    );
}

#[test]
fn unreadable_history_is_reported_not_rewritten() {
    let mut files = Files {
        history: Some("[1.0]\nbroken line\n".to_owned()),
        ..Files::default()
    };
    let errors = v1().build(&mut files, Bless::On);
    assert!(errors[0].contains("line 2"), "{errors:#?}");
    assert_eq!(files.history.as_deref(), Some("[1.0]\nbroken line\n"));
}

mod properties {
    use proptest::prelude::*;

    use crate::diff::compare;
    use crate::docs::{first_difference, locate_block, parse_block, render_block, DocsRow};
    use crate::docs_format::DocsFormat;
    use crate::history::{append_version, parse_history};
    use crate::shape::{Shape, ShapeField, WireType};
    use crate::version::Version;

    fn wire_type() -> impl Strategy<Value = WireType> {
        let leaf = prop_oneof![
            Just(WireType::String),
            Just(WireType::Integer),
            Just(WireType::Number),
            Just(WireType::Boolean),
            Just(WireType::Object),
            prop::collection::vec("[^|`\\p{Cc}]{1,8}", 1..4).prop_map(WireType::Enum),
        ];
        leaf.prop_recursive(3, 8, 1, |inner| {
            prop_oneof![
                inner.clone().prop_map(|t| WireType::Array(Box::new(t))),
                inner.clone().prop_map(|t| WireType::Map(Box::new(t))),
                // `Option<Option<T>>` is refused, so `| null` comes once.
                inner.prop_map(|t| match t {
                    WireType::Nullable(_) => t,
                    t => WireType::Nullable(Box::new(t)),
                }),
            ]
        })
    }

    fn shape() -> impl Strategy<Value = Shape> {
        prop::collection::btree_map("[a-z_][a-z0-9_]{0,12}", wire_type(), 0..8).prop_map(|fields| {
            Shape {
                fields: fields
                    .into_iter()
                    .map(|(name, wire)| ShapeField { name, wire })
                    .collect(),
                renames: Vec::new(),
            }
        })
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let lossy = String::from_utf8_lossy(&bytes);
            for input in [text.as_str(), &lossy] {
                let _ = parse_history(input);
                let _ = locate_block(DocsFormat::Markdown, input, "Report");
                let _ = parse_block(input);
                let _ = WireType::parse_canonical(input);
                let _ = Version::parse(input);
            }
        }

        #[test]
        fn history_render_then_parse_is_identity(shapes in prop::collection::vec(shape(), 1..4)) {
            let mut text: Option<String> = None;
            let mut expected = Vec::new();
            for (i, shape) in shapes.into_iter().enumerate() {
                let version = Version::parse(&format!("{}.0", i + 1)).unwrap();
                text = Some(append_version(text.as_deref(), "Report", &version, &shape));
                expected.push((version, shape));
            }
            prop_assert_eq!(parse_history(&text.unwrap()).unwrap().versions, expected);
        }

        #[test]
        fn comparing_a_shape_with_itself_finds_nothing(shape in shape()) {
            prop_assert!(compare(&shape, &shape, &[]).is_empty());
        }

        #[test]
        fn a_rendered_block_matches_itself(shape in shape(), why in "[^\n]{0,30}") {
            let why = crate::cell::why_cell(&[why]);
            let rows: Vec<DocsRow> = shape.fields.iter().map(|f| DocsRow {
                name: &f.name,
                wire: f.wire.display(),
                why: why.as_str().into(),
            }).collect();
            let block = parse_block(&render_block("1.0", None, &rows, &[]));
            prop_assert_eq!(block.rows.len(), rows.len() + 1);
            prop_assert_eq!(first_difference(&block, &block), None);
        }
    }
}
