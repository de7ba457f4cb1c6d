//! The session nonce is never persisted: nothing in the crate writes files.

#[test]
fn the_crate_writes_no_files() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for api in [
            "std::fs",
            "fs::write",
            "File::create",
            "OpenOptions",
            "tempfile",
        ] {
            assert!(!text.contains(api), "{} uses {api}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} source files found");
}
