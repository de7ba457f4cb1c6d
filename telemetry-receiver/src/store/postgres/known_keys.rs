//! The capped keys the database is known to have counted: a batch looks up
//! only the others (the lookup is about a fifth of a batch's fixed cost on
//! the server), and one whose key is remembered is counted without a cap
//! decision.
//!
//! A key, once counted for a day, stays until a fold deletes it (the
//! maintenance job folding a day down to its cap, on whichever receiver
//! runs it), and every fold bumps `agg_generation`. So what is remembered
//! holds for the generation it was read under; a batch reads the
//! generation first, and if it has moved, forgets everything and looks
//! every key up again, as before any was remembered.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::store::batch::CountKey;

/// The most keys remembered: past it, everything is forgotten and
/// remembered again as batches look keys up. A day holds at most the cap's
/// keys per capped field, and an invented key past the cap is never
/// counted, so never remembered: senders cannot grow this.
const MAX_KEYS: usize = 20_000;

#[derive(Default)]
pub(super) struct KnownKeys {
    remembered: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    /// The `agg_generation` the keys were read under.
    generation: Option<i64>,
    keys: HashSet<CountKey>,
}

impl KnownKeys {
    /// `rows` split by whether their key (`key_of`) is remembered: the
    /// generation they were read under, the remembered rows, the others.
    pub(super) fn recall<T>(
        &self,
        rows: Vec<T>,
        key_of: impl Fn(&T) -> &CountKey,
    ) -> (Option<i64>, Vec<T>, Vec<T>) {
        let remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        let (known, unknown) = rows
            .into_iter()
            .partition(|row| remembered.keys.contains(key_of(row)));
        (remembered.generation, known, unknown)
    }

    /// Remembers `keys`, found counted under `generation` (read before
    /// them, in the same transaction); a new generation forgets the rest.
    pub(super) fn remember<'a>(&self, generation: i64, keys: impl Iterator<Item = &'a CountKey>) {
        let mut remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        if remembered.generation != Some(generation) || remembered.keys.len() >= MAX_KEYS {
            remembered.keys.clear();
            remembered.generation = Some(generation);
        }
        remembered.keys.extend(keys.cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> CountKey {
        (
            "2026-12-01".into(),
            "1.0".into(),
            "packs".into(),
            "value",
            name.into(),
        )
    }

    /// Keys split by whether `known` remembers them.
    fn recall<'k>(known: &KnownKeys, keys: Vec<&'k CountKey>) -> Recalled<'k> {
        known.recall(keys, |key| *key)
    }

    type Recalled<'k> = (Option<i64>, Vec<&'k CountKey>, Vec<&'k CountKey>);

    #[test]
    fn keys_are_remembered_for_their_generation_only() {
        let known = KnownKeys::default();
        let (a, b) = (key("a"), key("b"));
        assert_eq!(recall(&known, vec![&a]), (None, vec![], vec![&a]));
        known.remember(7, [&a].into_iter());
        assert_eq!(recall(&known, vec![&a, &b]), (Some(7), vec![&a], vec![&b]));
        known.remember(7, [&b].into_iter());
        assert_eq!(
            recall(&known, vec![&a, &b]),
            (Some(7), vec![&a, &b], vec![])
        );
        // A fold moved the generation: what was remembered is forgotten.
        known.remember(8, [&b].into_iter());
        assert_eq!(recall(&known, vec![&a, &b]), (Some(8), vec![&b], vec![&a]));
    }

    #[test]
    fn what_is_remembered_stays_within_its_bound() {
        let known = KnownKeys::default();
        let keys: Vec<CountKey> = (0..MAX_KEYS + 1).map(|n| key(&n.to_string())).collect();
        known.remember(1, keys[..MAX_KEYS].iter());
        known.remember(1, keys[MAX_KEYS..].iter());
        let (_, remembered, _) = recall(&known, keys.iter().collect());
        assert_eq!(remembered, vec![&keys[MAX_KEYS]]);
    }
}
