//! The charts, as SVG drawn on the server with plotters: lines over the
//! window's days, and a histogram's bars. Axis labels are integers or
//! percentages, never `3000.0`.

use plotters::prelude::*;
use time::{Date, Duration};

use super::views::{Bucket, Lines};

const SIZE: (u32, u32) = (720, 280);

/// What a line chart's y axis counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Whole numbers (sessions).
    Count,
    /// Shares from 0 to 1, labelled as percentages.
    Share,
}

/// A y label: `3000`, or `25%`.
fn y_label(scale: Scale, value: f64) -> String {
    match scale {
        Scale::Count => format!("{}", value.round() as i64),
        Scale::Share => format!("{}%", (value * 100.0).round() as i64),
    }
}

/// One line per entry of `lines` (in that order in the legend), over the
/// days from `from`.
pub fn lines(lines: &Lines, from: Date, days: usize, scale: Scale) -> String {
    let mut svg = String::new();
    let top = lines
        .iter()
        .flat_map(|(_, points)| points.iter().flatten())
        .copied()
        .fold(
            match scale {
                Scale::Count => 1.0,
                Scale::Share => 0.01,
            },
            f64::max,
        );
    let top = match scale {
        Scale::Share => (top * 1.1).min(1.0).max(top),
        Scale::Count => (top * 1.1).ceil(),
    };
    let last = days.saturating_sub(1).max(1) as i32;
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            // Room for the last day's label.
            .margin_right(30)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0..last, 0.0..top);
        if let Ok(mut chart) = chart {
            let day = |index: &i32| {
                let date = from + Duration::days(i64::from(*index));
                format!("{:02}-{:02}", u8::from(date.month()), date.day())
            };
            let _ = chart
                .configure_mesh()
                .x_desc("day (UTC)")
                .x_labels(8)
                .y_labels(6)
                .x_label_formatter(&day)
                .y_label_formatter(&|v| y_label(scale, *v))
                .draw();
            for (index, (label, values)) in lines.iter().enumerate() {
                let color = Palette99::pick(index).to_rgba();
                let points = values
                    .iter()
                    .enumerate()
                    .filter_map(|(day, value)| Some((day as i32, (*value)?)));
                if let Ok(drawn) = chart.draw_series(LineSeries::new(points, color.stroke_width(2)))
                {
                    drawn.label(label.clone()).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                    });
                }
            }
            if !lines.is_empty() {
                let _ = chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperRight)
                    .border_style(BLACK)
                    .background_style(WHITE.mix(0.85))
                    .draw();
            }
        }
        let _ = root.present();
    }
    svg
}

/// One bar per bucket, in order, labelled by the bucket.
pub fn bars(buckets: &[Bucket]) -> String {
    let mut svg = String::new();
    let top = buckets.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    let count = buckets.len().max(1) as i32;
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            // Room for the last day's label.
            .margin_right(30)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0..count, 0.0..(top * 1.1).ceil());
        if let Ok(mut chart) = chart {
            let label = |index: &i32| {
                usize::try_from(*index)
                    .ok()
                    .and_then(|i| buckets.get(i))
                    .map(|b| b.label.clone())
                    .unwrap_or_default()
            };
            let _ = chart
                .configure_mesh()
                .x_desc("value (log2 buckets: 2^k holds [2^k, 2^(k+1)))")
                .x_labels(buckets.len().clamp(1, 16))
                .y_labels(6)
                .x_label_formatter(&label)
                .y_label_formatter(&|v| y_label(Scale::Count, *v))
                .draw();
            let _ = chart.draw_series(buckets.iter().enumerate().map(|(index, bucket)| {
                let index = index as i32;
                Rectangle::new(
                    [(index, 0.0), (index + 1, bucket.count as f64)],
                    BLUE.mix(0.6).filled(),
                )
            }));
        }
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_day;

    #[test]
    fn charts_are_svg_with_integer_and_percent_labels() {
        let from = parse_day("2026-11-01").unwrap();
        let counts = vec![("1.0".to_owned(), vec![Some(3000.0); 30])];
        let svg = lines(&counts, from, 30, Scale::Count);
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{svg}"
        );
        assert!(svg.contains("11-01"), "days are labelled by date");
        assert!(svg.contains(">3000<") || svg.contains("3000"), "{svg}");
        assert!(!svg.contains("3000.0"), "integer counts print as integers");
        let shares = vec![("linux".to_owned(), vec![Some(0.25); 7])];
        let svg = lines(&shares, from, 7, Scale::Share);
        assert!(svg.contains('%') && svg.contains("linux"), "{svg}");
        let svg = bars(&[Bucket {
            label: "2^3".to_owned(),
            low: 8.0,
            high: 16.0,
            count: 5,
        }]);
        assert!(svg.contains("<rect") && svg.contains("2^3"), "{svg}");
        assert!(lines(&Vec::new(), from, 1, Scale::Count).starts_with("<svg"));
    }
}
