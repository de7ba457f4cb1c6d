//! Comparing two wire shapes, field by field and by name, in linear time.

use std::collections::HashMap;

use crate::history::RetentionChange;
use crate::shape::{Shape, WireType};
use crate::version::Version;

/// One difference between a recorded shape and the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Added {
        name: String,
        wire: WireType,
    },
    Removed {
        name: String,
    },
    Retyped {
        name: String,
        old: WireType,
        new: WireType,
    },
    Renamed {
        from: String,
        to: String,
        old: WireType,
        new: WireType,
    },
}

impl Change {
    /// Whether a receiver built for the old shape could misread the new
    /// one. An added field is safe (old receivers ignore it), and so is a
    /// value added to a value list, as a variant added to an enum is: every
    /// report of the old shape is still one of the new.
    pub fn is_breaking(&self) -> bool {
        match self {
            Change::Added { .. } => false,
            Change::Retyped { old, new, .. } => !new.adds_values_to(old),
            Change::Removed { .. } | Change::Renamed { .. } => true,
        }
    }

    /// The field's name in the current shape; `None` for a removed field.
    pub fn current_name(&self) -> Option<&str> {
        match self {
            Change::Added { name, .. } | Change::Retyped { name, .. } => Some(name),
            Change::Renamed { to, .. } => Some(to),
            Change::Removed { .. } => None,
        }
    }

    /// The `buf breaking`-style line: `+ f: t`, `- f`, `~ f: a -> b`, with
    /// wire types in their canonical (history) spelling.
    pub fn line(&self) -> String {
        self.render(WireType::canonical)
    }

    /// The same line with wire types as the docs table spells them.
    pub fn display_line(&self) -> String {
        self.render(WireType::display)
    }

    fn render(&self, spell: fn(&WireType) -> String) -> String {
        match self {
            Change::Added { name, wire } => format!("+ {name}: {}", spell(wire)),
            Change::Removed { name } => format!("- {name}"),
            Change::Retyped { name, old, new } => {
                format!("~ {name}: {} -> {}", spell(old), spell(new))
            }
            Change::Renamed { from, to, old, new } if old == new => {
                format!("~ {from} -> {to} (renamed)")
            }
            Change::Renamed { from, to, old, new } => {
                format!(
                    "~ {from} -> {to} (renamed): {} -> {}",
                    spell(old),
                    spell(new)
                )
            }
        }
    }
}

/// What changed from `old` to `new`: current fields in declaration order
/// first, then removed ones in recorded order. `renames` maps a current
/// field name to the recorded name it replaces (`renamed_from`).
pub fn compare(old: &Shape, new: &Shape, renames: &[(String, String)]) -> Vec<Change> {
    // What nearly every build sees, answered without building the maps.
    if old.fields == new.fields {
        return Vec::new();
    }
    let recorded: HashMap<&str, &WireType> = old
        .fields
        .iter()
        .map(|field| (field.name.as_str(), &field.wire))
        .collect();
    let current: HashMap<&str, &WireType> = new
        .fields
        .iter()
        .map(|field| (field.name.as_str(), &field.wire))
        .collect();
    let renamed_from: HashMap<&str, &str> = renames
        .iter()
        .filter(|(to, from)| {
            !recorded.contains_key(to.as_str()) && recorded.contains_key(from.as_str())
        })
        .filter(|(_, from)| !current.contains_key(from.as_str()))
        .map(|(to, from)| (to.as_str(), from.as_str()))
        .collect();
    let mut consumed: Vec<&str> = Vec::new();
    let mut changes = Vec::new();
    for field in &new.fields {
        let name = field.name.as_str();
        match (recorded.get(name), renamed_from.get(name)) {
            (Some(old_wire), _) if **old_wire != field.wire => changes.push(Change::Retyped {
                name: name.to_owned(),
                old: (*old_wire).clone(),
                new: field.wire.clone(),
            }),
            (Some(_), _) => {}
            (None, Some(from)) => {
                consumed.push(from);
                changes.push(Change::Renamed {
                    from: (*from).to_owned(),
                    to: name.to_owned(),
                    old: recorded[from].clone(),
                    new: field.wire.clone(),
                });
            }
            (None, None) => changes.push(Change::Added {
                name: name.to_owned(),
                wire: field.wire.clone(),
            }),
        }
    }
    for field in &old.fields {
        let name = field.name.as_str();
        if !current.contains_key(name) && !consumed.contains(&name) {
            changes.push(Change::Removed {
                name: name.to_owned(),
            });
        }
    }
    changes
}

/// The changes as an indented list, one per line.
pub fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|change| format!("    {}", change.line()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The changelog of a history, newest version first, as markdown list
/// items: each version, its changes against the one before, and the
/// retention changes made during its life.
pub fn changelog(releases: &[(Version, Shape)], retention: &[RetentionChange]) -> Vec<String> {
    let mut entries: Vec<String> = releases
        .iter()
        .enumerate()
        .map(|(i, (version, shape))| {
            let mut changes = match i.checked_sub(1).map(|previous| &releases[previous].1) {
                None => "first version".to_owned(),
                Some(previous) => {
                    let lines: Vec<String> = compare(previous, shape, &shape.renames)
                        .iter()
                        .map(|change| format!("`{}`", change.display_line()))
                        .collect();
                    if lines.is_empty() {
                        "no field changes".to_owned()
                    } else {
                        lines.join(", ")
                    }
                }
            };
            for (at, change) in retention.iter().enumerate() {
                if change.version == i {
                    let before = at.checked_sub(1).and_then(|before| retention[before].days);
                    changes.push_str("; ");
                    changes.push_str(&retention_change(before, change.days));
                }
            }
            format!("**{version}**: {changes}")
        })
        .collect();
    entries.reverse();
    entries
}

fn retention_change(before: Option<u64>, after: Option<u64>) -> String {
    let days = crate::docs::day_count;
    match (before, after) {
        (None, Some(after)) => format!("raw reports kept {}", days(after)),
        (Some(before), Some(after)) => {
            format!("raw reports kept {} (was {})", days(after), days(before))
        }
        (Some(before), None) => format!(
            "raw report retention no longer stated (was {})",
            days(before)
        ),
        (None, None) => "raw report retention no longer stated".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_added_is_additive_and_one_removed_is_breaking() {
        let tiers = |values: &[&str]| {
            let values = values.iter().map(|v| v.to_string()).collect();
            WireType::Array(Box::new(WireType::Enum(values)))
        };
        let added = Change::Retyped {
            name: "tiers".into(),
            old: tiers(&["a", "b"]),
            new: tiers(&["a", "b", "c"]),
        };
        assert!(!added.is_breaking());
        let removed = Change::Retyped {
            name: "tiers".into(),
            old: tiers(&["a", "b"]),
            new: tiers(&["a"]),
        };
        assert!(removed.is_breaking());
        let renamed = Change::Retyped {
            name: "tiers".into(),
            old: tiers(&["a", "b"]),
            new: tiers(&["a", "c"]),
        };
        assert!(renamed.is_breaking());
        let wrapped = Change::Retyped {
            name: "tiers".into(),
            old: tiers(&["a"]),
            new: WireType::Nullable(Box::new(tiers(&["a", "b"]))),
        };
        assert!(wrapped.is_breaking());
    }

    #[test]
    fn same_shape_in_any_order_has_no_changes() {
        let a = Shape::of(&[("x", WireType::String), ("y", WireType::Integer)]);
        let b = Shape::of(&[("y", WireType::Integer), ("x", WireType::String)]);
        assert_eq!(compare(&a, &b, &[]), []);
    }

    #[test]
    fn added_removed_and_retyped_are_listed_in_order() {
        let old = Shape::of(&[
            ("tier", WireType::String),
            ("count", WireType::Integer),
            ("keep", WireType::Boolean),
        ]);
        let new = Shape::of(&[
            ("keep", WireType::Boolean),
            ("count", WireType::String),
            ("gpus", WireType::Integer),
        ]);
        let changes = compare(&old, &new, &[]);
        let lines: Vec<String> = changes.iter().map(Change::line).collect();
        assert_eq!(
            lines,
            ["~ count: integer -> string", "+ gpus: integer", "- tier"]
        );
        assert_eq!(
            changes.iter().map(Change::is_breaking).collect::<Vec<_>>(),
            [true, false, true]
        );
    }

    #[test]
    fn renamed_from_is_one_breaking_rename() {
        let old = Shape::of(&[("clusters", WireType::Integer)]);
        let new = Shape::of(&[("cluster_count", WireType::Integer)]);
        let renames = [("cluster_count".to_owned(), "clusters".to_owned())];
        let changes = compare(&old, &new, &renames);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].line(), "~ clusters -> cluster_count (renamed)");
        assert!(changes[0].is_breaking());
        // Once recorded under its new name, the attribute changes nothing.
        assert_eq!(compare(&new, &new, &renames), []);
    }

    #[test]
    fn changelog_is_newest_first_with_display_types() {
        let v = |s| Version::parse(s).unwrap();
        let one = Shape::of(&[("tier", WireType::Enum(vec!["a".into(), "b".into()]))]);
        let two = Shape::of(&[
            ("tier", WireType::Enum(vec!["a".into(), "b".into()])),
            ("gpus", WireType::Integer),
        ]);
        let mut three = Shape::of(&[("gpu_count", WireType::String)]);
        three.renames = vec![("gpu_count".to_owned(), "gpus".to_owned())];
        let retention = |version, days| RetentionChange { version, days };
        let log = changelog(
            &[
                (v("1.0"), one),
                (v("1.1"), two.clone()),
                (v("1.2"), two),
                (v("2.0"), three),
            ],
            &[
                retention(0, Some(90)),
                retention(2, Some(30)),
                retention(2, Some(1)),
                retention(3, None),
            ],
        );
        assert_eq!(
            log,
            [
                "**2.0**: `~ gpus -> gpu_count (renamed): integer -> string`, `- tier`; \
                 raw report retention no longer stated (was 1 day)",
                "**1.2**: no field changes; raw reports kept 30 days (was 90 days); \
                 raw reports kept 1 day (was 30 days)",
                "**1.1**: `+ gpus: integer`",
                "**1.0**: first version; raw reports kept 90 days",
            ]
        );
    }

    #[test]
    fn describe_indents_each_line() {
        let changes = [Change::Removed { name: "a".into() }];
        assert_eq!(describe(&changes), "    - a");
    }
}
