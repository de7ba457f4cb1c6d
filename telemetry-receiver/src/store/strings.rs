//! Strings kept once each and handed out as numbers: the exports of every
//! field and the past days the dashboard keeps hold each day, version,
//! field, kind and key once, and their rows as numbers.

use std::collections::HashMap;

/// Strings by number. Numbers are ranks once [`Strings::rank`] has run:
/// comparing two numbers then compares their strings by bytes.
#[derive(Clone, Default)]
pub(crate) struct Strings {
    texts: Vec<String>,
    numbers: HashMap<String, u32>,
    /// The last string asked for: most rows repeat the last day, version,
    /// field and kind.
    last: Option<u32>,
}

impl Strings {
    pub(crate) fn number(&mut self, text: &str) -> u32 {
        if let Some(last) = self.last {
            if self.texts[last as usize] == text {
                return last;
            }
        }
        let number = match self.numbers.get(text) {
            Some(number) => *number,
            None => {
                let number = self.texts.len() as u32;
                self.texts.push(text.to_owned());
                self.numbers.insert(text.to_owned(), number);
                number
            }
        };
        self.last = Some(number);
        number
    }

    /// Renumbers by byte order; the old number's new one, by old number.
    pub(crate) fn rank(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.texts.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.texts[*a as usize].cmp(&self.texts[*b as usize]));
        let mut new = vec![0; order.len()];
        for (rank, old) in order.iter().enumerate() {
            new[*old as usize] = rank as u32;
        }
        let mut texts = std::mem::take(&mut self.texts);
        let mut sorted: Vec<String> = Vec::with_capacity(texts.len());
        for old in &order {
            sorted.push(std::mem::take(&mut texts[*old as usize]));
        }
        self.texts = sorted;
        self.numbers.clear();
        self.last = None;
        new
    }

    pub(crate) fn text(&self, number: u32) -> &str {
        &self.texts[number as usize]
    }
}
