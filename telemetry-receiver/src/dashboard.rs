//! A small server-rendered dashboard: sessions per day by version, each
//! value-list field's split over time, and each number field's histogram,
//! drawn as SVG with plotters.
//!
//! Two steps: [`query`] reads what the page shows from the store into a
//! [`Dashboard`], plain data; [`render`] draws it, with no store, clock
//! or I/O, so the page can be tested from data alone.

use std::collections::BTreeMap;

use plotters::prelude::*;
use time::{Date, Duration};

use crate::aggregate::HISTOGRAM;
use crate::clock::parse_day;
use crate::schema::FieldKind;
use crate::store::{Store, StoreError};
use crate::Receiver;

/// Days the page covers, today included.
pub const DAYS: i64 = 30;
const SIZE: (u32, u32) = (640, 260);

/// Lines of `(label, value per day)` over [`DAYS`] days.
pub type Series = BTreeMap<String, Vec<f64>>;

/// What the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    pub title: String,
    /// The first day shown; the last is `today`.
    pub from: Date,
    pub today: Date,
    pub raw_retention_days: i64,
    pub charts: Vec<Chart>,
}

/// One figure of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub caption: String,
    pub data: ChartData,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChartData {
    /// One line per label, a value per day from [`Dashboard::from`].
    Lines(Series),
    /// A count per log2 bucket (`-1` holds values below 1).
    Bars(BTreeMap<i64, f64>),
}

/// Reads the last [`DAYS`] days of aggregates the page shows.
pub async fn query<S: Store>(receiver: &Receiver<S>) -> Result<Dashboard, StoreError> {
    let today = receiver.clock.today();
    let from = today - Duration::days(DAYS - 1);
    let day_index = |day: &str| -> Option<usize> {
        let day = parse_day(day).ok()?;
        usize::try_from((day - from).whole_days()).ok()
    };
    let mut charts = Vec::new();

    let mut sessions = Series::new();
    for row in receiver.store.sessions(from, today).await? {
        if let Some(index) = day_index(&row.day) {
            sessions
                .entry(row.schema_version)
                .or_insert_with(|| vec![0.0; DAYS as usize])[index] += row.sessions as f64;
        }
    }
    charts.push(Chart {
        caption: "Sessions per day, by schema_version".to_owned(),
        data: ChartData::Lines(sessions),
    });

    for (field, kind) in &receiver.schemas.fields {
        match kind {
            FieldKind::Value { free_form: false } | FieldKind::Boolean => {
                let mut split = Series::new();
                for row in receiver.store.counts(field, from, today).await? {
                    if let Some(index) = day_index(&row.day) {
                        split
                            .entry(row.key)
                            .or_insert_with(|| vec![0.0; DAYS as usize])[index] += row.count as f64;
                    }
                }
                charts.push(Chart {
                    caption: format!("{field}: reports per value per day"),
                    data: ChartData::Lines(split),
                });
            }
            FieldKind::Number => {
                let mut buckets: BTreeMap<i64, f64> = BTreeMap::new();
                for row in receiver.store.counts(field, from, today).await? {
                    if row.kind == HISTOGRAM {
                        let exponent = row
                            .key
                            .strip_prefix("2^")
                            .and_then(|k| k.parse().ok())
                            .unwrap_or(-1);
                        *buckets.entry(exponent).or_default() += row.count as f64;
                    }
                }
                charts.push(Chart {
                    caption: format!("{field}: histogram (log2 buckets), last {DAYS} days"),
                    data: ChartData::Bars(buckets),
                });
            }
            _ => {}
        }
    }

    Ok(Dashboard {
        title: receiver.schemas.title.clone(),
        from,
        today,
        raw_retention_days: receiver.raw_retention_days,
        charts,
    })
}

/// The page's HTML.
pub fn render(dashboard: &Dashboard) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"icon\" href=\"data:,\">\
         <style>body{{font-family:sans-serif;margin:2em;color:#222}}figure{{margin:0 0 2em}}\
         figcaption{{font-weight:bold;margin-bottom:.5em}}</style></head><body><h1>{title}</h1>\
         <p>From {from} to {today} (UTC). Raw reports are kept {days} days; these aggregates are kept.</p>",
        title = escape(&dashboard.title),
        from = dashboard.from,
        today = dashboard.today,
        days = dashboard.raw_retention_days,
    );
    for chart in &dashboard.charts {
        let svg = match &chart.data {
            ChartData::Lines(series) => lines(series, dashboard.from),
            ChartData::Bars(buckets) => bars(buckets),
        };
        html.push_str(&format!(
            "<figure><figcaption>{}</figcaption>{svg}</figure>",
            escape(&chart.caption)
        ));
    }
    html.push_str("</body></html>");
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One line per series over the days from `from`.
fn lines(series: &Series, from: Date) -> String {
    let mut svg = String::new();
    let top = series.values().flatten().copied().fold(1.0_f64, f64::max);
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0..(DAYS as i32 - 1), 0.0..top * 1.1);
        if let Ok(mut chart) = chart {
            let day = |index: &i32| {
                let date = from + Duration::days(i64::from(*index));
                format!("{:02}-{:02}", u8::from(date.month()), date.day())
            };
            let _ = chart
                .configure_mesh()
                .x_desc("day (UTC)")
                .x_label_formatter(&day)
                .draw();
            for (index, (label, values)) in series.iter().enumerate() {
                let color = Palette99::pick(index).to_rgba();
                let points = values
                    .iter()
                    .enumerate()
                    .map(|(day, value)| (day as i32, *value));
                if let Ok(drawn) = chart.draw_series(LineSeries::new(points, color.stroke_width(2)))
                {
                    drawn.label(label.clone()).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                    });
                }
            }
            if !series.is_empty() {
                let _ = chart
                    .configure_series_labels()
                    .border_style(BLACK)
                    .background_style(WHITE)
                    .draw();
            }
        }
        let _ = root.present();
    }
    svg
}

/// One bar per log2 bucket (`-1` holds values below 1).
fn bars(buckets: &BTreeMap<i64, f64>) -> String {
    let mut svg = String::new();
    let low = buckets.keys().next().copied().unwrap_or(0);
    let high = buckets.keys().last().copied().unwrap_or(0) + 1;
    let top = buckets.values().copied().fold(1.0_f64, f64::max);
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(low..high, 0.0..top * 1.1);
        if let Ok(mut chart) = chart {
            let _ = chart
                .configure_mesh()
                .x_desc("log2(value)")
                .x_label_formatter(&|k| {
                    if *k < 0 {
                        "<1".to_owned()
                    } else {
                        format!("2^{k}")
                    }
                })
                .draw();
            let _ = chart.draw_series(buckets.iter().map(|(bucket, count)| {
                Rectangle::new(
                    [(*bucket, 0.0), (*bucket + 1, *count)],
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

    #[test]
    fn charts_are_svg_with_their_data() {
        let series = Series::from([("1.0".to_owned(), vec![1.0; DAYS as usize])]);
        let from = parse_day("2026-11-01").unwrap();
        let svg = lines(&series, from);
        assert!(
            svg.contains("11-01") && svg.contains("11-06"),
            "days are labelled by date: {svg}"
        );
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{svg}"
        );
        assert!(svg.contains("1.0"), "the legend names the version");
        let svg = bars(&BTreeMap::from([(2, 5.0), (4, 1.0)]));
        assert!(svg.contains("<rect"), "{svg}");
        assert!(lines(&Series::new(), from).starts_with("<svg"));
    }

    #[test]
    fn the_page_draws_each_chart_under_its_escaped_caption() {
        let day = |text| parse_day(text).unwrap();
        let dashboard = Dashboard {
            title: "Reports <of> A & B".to_owned(),
            from: day("2026-11-01"),
            today: day("2026-11-30"),
            raw_retention_days: 90,
            charts: vec![
                Chart {
                    caption: "Sessions".to_owned(),
                    data: ChartData::Lines(Series::from([(
                        "1.0".to_owned(),
                        vec![2.0; DAYS as usize],
                    )])),
                },
                Chart {
                    caption: "cluster_count <log2>".to_owned(),
                    data: ChartData::Bars(BTreeMap::from([(1, 3.0)])),
                },
            ],
        };
        let html = render(&dashboard);
        assert!(html.starts_with("<!doctype html>") && html.ends_with("</body></html>"));
        assert!(
            html.contains("<title>Reports &lt;of&gt; A &amp; B</title>"),
            "{html}"
        );
        assert!(
            html.contains("From 2026-11-01 to 2026-11-30 (UTC)"),
            "{html}"
        );
        assert!(html.contains("Raw reports are kept 90 days"), "{html}");
        assert_eq!(html.matches("<figure>").count(), 2);
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(html.contains("<figcaption>cluster_count &lt;log2&gt;</figcaption>"));
        assert!(html.contains("<polyline") && html.contains("<rect"));
    }
}
