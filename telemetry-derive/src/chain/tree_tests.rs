//! The tree form and its flattening, as plain data.

use super::*;

fn parse(text: &str) -> Section {
    try_parse(text).unwrap()
}

fn try_parse(text: &str) -> Result<Section, String> {
    let tokens: TokenStream = text.parse().map_err(|e| format!("{e}"))?;
    read_section(&mut tokens.into_iter(), true)
}

/// `Name poisoned "records" [idents] [children]`, with records given
/// one per item and `;` for the tabs.
fn section(name: &str, poisoned: bool, records: &[&str], idents: &str, children: &str) -> String {
    let records: String = records
        .iter()
        .map(|record| format!("{}\n", record.replace(';', "\t")))
        .collect();
    format!("{name} {poisoned} {records:?} [{idents}] [{children}]")
}

#[test]
fn nested_sections_flatten_to_paths_in_order() {
    let tree = parse(&section(
        "Report",
        false,
        &[
            "system;Platform.;;object;..;0",
            "gpu_devices;GPUs.;;object[] | null;..;1",
            "count;Count.;;integer | null;..;_",
        ],
        "system gpus count",
        &format!(
            "{{ {} }} {{ {} }}",
            section(
                "SystemInfo",
                false,
                &[
                    "distribution;Distro.;;string | null;..;_",
                    "cpu;CPU.;;object;..;0"
                ],
                "distribution cpu",
                &format!(
                    "{{ {} }}",
                    section(
                        "CpuInfo",
                        false,
                        &["cores;Cores.;;integer;..;_"],
                        "cores",
                        ""
                    )
                ),
            ),
            section(
                "GpuDevice",
                false,
                &["model;Model.;;string;..;_"],
                "model",
                ""
            ),
        ),
    ));
    let flat = flatten(&tree.fields, &tree.children);
    let paths: Vec<(&str, String)> = flat
        .iter()
        .map(|f| (f.path.as_str(), f.wire.canonical()))
        .collect();
    assert_eq!(
        paths,
        [
            ("system", "object".to_owned()),
            ("system.distribution", "string | null".to_owned()),
            ("system.cpu", "object".to_owned()),
            ("system.cpu.cores", "integer".to_owned()),
            ("gpu_devices", "object[] | null".to_owned()),
            ("gpu_devices[].model", "string".to_owned()),
            ("count", "integer | null".to_owned()),
        ]
    );
    assert!(flat.iter().all(|f| f.renamed_from.is_none()));
    assert!(!any_poisoned(&tree.children));
}

#[test]
fn a_renamed_section_renames_everything_below_it() {
    let tree = parse(&section(
        "Report",
        false,
        &["clusters;Per cluster.;fleet;map<string, object>;..;0"],
        "clusters",
        &format!(
            "{{ {} }}",
            section(
                "Cluster",
                true,
                &[
                    "node_count;Nodes.;nodes;integer;..;_",
                    "kind;Kind.;;string;..;_"
                ],
                "nodes kind",
                "",
            )
        ),
    ));
    let flat = flatten(&tree.fields, &tree.children);
    let renames: Vec<(&str, Option<&str>)> = flat
        .iter()
        .map(|f| (f.path.as_str(), f.renamed_from.as_deref()))
        .collect();
    assert_eq!(
        renames,
        [
            ("clusters", Some("fleet")),
            ("clusters.*.node_count", Some("fleet.*.nodes")),
            ("clusters.*.kind", Some("fleet.*.kind")),
        ]
    );
    assert!(any_poisoned(&tree.children));
}

#[test]
fn written_items_read_back() {
    let tree = parse(
        "Report false \"a\\twhy | \\\" \\\\ é\\t\\tinteger | null\\t..\\t0\" [a]
           [ { S true \"b\\t\\told\\tobject\\t..\\t_\" [b] [] } ]",
    );
    let written = write_item(&tree.name, false, &tree.fields);
    let back = read_section(&mut written.into_iter(), false).unwrap();
    assert_eq!(back.fields.len(), 1);
    assert_eq!(back.fields[0].why, "why | \" \\ é");
    assert_eq!(back.fields[0].wire.canonical(), "integer | null");
    assert_eq!(back.fields[0].child, Some(0));
    assert!(tree.children[0].poisoned);
}

#[test]
fn malformed_data_is_an_error_not_a_panic() {
    assert!(try_parse("Report false \"a\\tw\\t\\tstring\\t..\\t_\" [a] []").is_ok());
    for text in [
        "Report false \"a\\tw\\t\\tstrung\\t..\\t_\" [a] []",
        "Report false \"a\\tw\\t\\tstring\\t..\" [a] []",
        "Report false \"a\\tw\\t\\tstring\\t..\\t_\" [] []",
        "Report false \"a\\tw\\t\\tstring\\t..\\t_\" [a b] []",
        "Report false \"a\\tw\\t\\tstring\\t..\\tx\" [a] []",
        "Report false \"a\\tw\\t\\tinteger\\tzz\\t_\" [a] []",
        "Report \"\" [] []",
    ] {
        assert!(try_parse(text).is_err(), "{text}");
    }
}

#[test]
fn a_newtype_section_is_its_value_in_the_place_of_the_object() {
    let tree = parse(&section(
        "Report",
        false,
        &[
            "threads;Threads.;;object | null;..;0",
            "limits;Limits.;;object[];..;1",
        ],
        "threads limits",
        &format!(
            "{{ {} }} {{ {} }}",
            section(
                "MaxThreads",
                false,
                &[";;;integer | null;0..255;_"],
                "MaxThreads",
                ""
            ),
            // A newtype of a section: its fields below the holding field.
            section(
                "Limits",
                false,
                &[";;;object;..;0"],
                "Limits",
                &format!(
                    "{{ {} }}",
                    section("Limit", false, &["max;Max.;;integer;0..;_"], "max", "")
                ),
            ),
        ),
    ));
    let flat = flatten(&tree.fields, &tree.children);
    let rows: Vec<(&str, String, String)> = flat
        .iter()
        .map(|f| (f.path.as_str(), f.wire.canonical(), f.bounds.spell()))
        .collect();
    assert_eq!(
        rows,
        [
            ("threads", "integer | null".to_owned(), "0..255".to_owned()),
            ("limits", "object[]".to_owned(), "..".to_owned()),
            ("limits[].max", "integer".to_owned(), "0..".to_owned()),
        ]
    );
}
