//! A report's JSON, read into a [`serde_json::Value`] as serde_json reads
//! it, but refusing two things serde_json takes silently:
//!
//! - a key twice in one object: serde_json keeps the last, so the
//!   aggregates would count one value while the raw report keeps both;
//! - U+0000 in a string or a key: PostgreSQL's text cannot hold it, so one
//!   such report would fail the whole group-commit batch it joined.
//!
//! serde_json's own limits stay (its recursion limit, trailing
//! characters), as the reader is serde_json's with a visitor of ours.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a body is not a report's JSON.
#[derive(Debug)]
pub enum JsonError {
    /// `key` appears twice in the object at `pointer`'s parent; `pointer`
    /// is the JSON pointer of the key.
    DuplicateKey { pointer: String, key: String },
    /// The string or key at `pointer` holds U+0000.
    Nul { pointer: String },
    /// Not JSON, or too deeply nested: serde_json's error.
    Syntax(serde_json::Error),
}

/// Reads `bytes` as one JSON value.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let problem = RefCell::new(None);
    let root = Node {
        parent: None,
        step: Step::Root,
        problem: &problem,
    };
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let parsed = root.deserialize(&mut reader).and_then(|value| {
        reader.end()?;
        Ok(value)
    });
    match (parsed, problem.into_inner()) {
        (_, Some(problem)) => Err(problem),
        (Ok(value), None) => Ok(value),
        (Err(err), None) => Err(JsonError::Syntax(err)),
    }
}

/// Where a value sits, as a chain up to the root: the pointer is built
/// only for an error.
#[derive(Clone, Copy)]
struct Node<'a> {
    parent: Option<&'a Node<'a>>,
    step: Step<'a>,
    /// What was refused, for [`parse`] to return instead of serde_json's
    /// error text (which would carry no pointer).
    problem: &'a RefCell<Option<JsonError>>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Node<'a> {
    fn child(&'a self, step: Step<'a>) -> Node<'a> {
        Node {
            parent: Some(self),
            step,
            problem: self.problem,
        }
    }

    /// The JSON pointer (RFC 6901) of this node.
    fn pointer(&self) -> String {
        let mut steps = Vec::new();
        let mut node = Some(self);
        while let Some(at) = node {
            match at.step {
                Step::Root => {}
                Step::Key(key) => steps.push(key.replace('~', "~0").replace('/', "~1")),
                Step::Index(index) => steps.push(index.to_string()),
            }
            node = at.parent;
        }
        steps.iter().rev().map(|step| format!("/{step}")).collect()
    }

    fn refuse<E: de::Error>(&self, problem: JsonError) -> E {
        let text = match &problem {
            JsonError::DuplicateKey { key, .. } => format!("duplicate key {key:?}"),
            _ => "U+0000 in a string".to_owned(),
        };
        *self.problem.borrow_mut() = Some(problem);
        E::custom(text)
    }

    fn string<E: de::Error>(&self, text: String) -> Result<Value, E> {
        if text.contains('\0') {
            return Err(self.refuse(JsonError::Nul {
                pointer: self.pointer(),
            }));
        }
        Ok(Value::String(text))
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, reader: D) -> Result<Value, D::Error> {
        reader.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        self.string(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        self.string(value)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = items.next_element_seed(self.child(Step::Index(out.len())))? {
            out.push(item);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            let at = self.child(Step::Key(&key));
            if key.contains('\0') {
                return Err(at.refuse(JsonError::Nul {
                    pointer: at.pointer(),
                }));
            }
            if out.contains_key(&key) {
                return Err(at.refuse(JsonError::DuplicateKey {
                    pointer: at.pointer(),
                    key: key.clone(),
                }));
            }
            let value = entries.next_value_seed(at)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn duplicate(text: &str) -> (String, String) {
        match parse(text.as_bytes()) {
            Err(JsonError::DuplicateKey { pointer, key }) => (pointer, key),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn a_key_twice_is_refused_at_its_pointer() {
        assert_eq!(
            duplicate(r#"{"tier": "a", "tier": "b"}"#),
            ("/tier".into(), "tier".into())
        );
        assert_eq!(
            duplicate(r#"{"s": [{"x": 1}, {"a/b": 1, "a/b": 2}]}"#),
            ("/s/1/a~1b".into(), "a/b".into())
        );
    }

    #[test]
    fn everything_else_reads_as_serde_json_reads_it() {
        let text =
            r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": {}}, "d": 18446744073709551615}"#;
        let ours = parse(text.as_bytes()).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        assert!(matches!(parse(b"{} x"), Err(JsonError::Syntax(_))));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        match parse(deep.as_bytes()) {
            Err(JsonError::Syntax(err)) => assert!(err.to_string().contains("recursion limit")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(br#"{"a": ["ok", "x\u0000"]}"#),
            Err(JsonError::Nul { pointer }) if pointer == "/a/1"
        ));
    }
}
