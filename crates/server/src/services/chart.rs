//! A sensor's history as an SVG (`GET /api/telemetry/{sensor}/chart.svg`):
//! the min/max band of each bucket, the average line and the rules'
//! thresholds, drawn with plotters' SVG backend, so a person sees a week of
//! temperature without a front end. Pure: buckets in, a document out.

use argus_db::models::telemetry::Bucket;
use chrono::{DateTime, Utc};
use plotters::prelude::*;

const SIZE: (u32, u32) = (900, 420);
const BAND: RGBColor = RGBColor(70, 130, 180);
const THRESHOLD: RGBColor = RGBColor(200, 40, 40);

/// The chart of `buckets` from `from` to `to`, titled `title`, with a dashed
/// line at each threshold.
pub fn svg(
    title: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    buckets: &[Bucket],
    thresholds: &[f64],
) -> Result<String, String> {
    let mut out = String::new();
    draw(&mut out, title, (from, to), buckets, thresholds).map_err(|e| e.to_string())?;
    Ok(out)
}

fn draw(
    out: &mut String,
    title: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    buckets: &[Bucket],
    thresholds: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let (low, high) = range(buckets, thresholds);
    let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(from..to, low..high)?;
    let long = to - from > chrono::Duration::days(2);
    chart
        .configure_mesh()
        .x_labels(8)
        .x_label_formatter(&|t: &DateTime<Utc>| {
            let local = t.with_timezone(&chrono::Local);
            if long {
                local.format("%m-%d").to_string()
            } else {
                local.format("%H:%M").to_string()
            }
        })
        .draw()?;
    if !buckets.is_empty() {
        let band: Vec<(DateTime<Utc>, f64)> = buckets
            .iter()
            .map(|b| (b.start, clamp(b.max)))
            .chain(buckets.iter().rev().map(|b| (b.start, clamp(b.min))))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, BAND.mix(0.25).filled())))?;
        chart.draw_series(LineSeries::new(
            buckets.iter().map(|b| (b.start, clamp(b.avg))),
            BAND.stroke_width(2),
        ))?;
    }
    for t in thresholds.iter().copied().map(clamp) {
        chart.draw_series(DashedLineSeries::new(
            [(from, t), (to, t)],
            6,
            4,
            THRESHOLD.stroke_width(1),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// The largest magnitude drawn: plotters' axis never ends its labels for
/// spans near `f64::MAX`, and no room reading comes close.
const LIMIT: f64 = 1e9;

fn clamp(v: f64) -> f64 {
    v.clamp(-LIMIT, LIMIT)
}

/// The value axis: everything drawn, with a margin; one unit around a flat line.
fn range(buckets: &[Bucket], thresholds: &[f64]) -> (f64, f64) {
    let values = buckets
        .iter()
        .flat_map(|b| [b.min, b.max])
        .chain(thresholds.iter().copied())
        .map(clamp);
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0);
    }
    let margin = ((high - low) * 0.1).max(0.5);
    (low - margin, high + margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_of_buckets_draws_the_band_the_average_and_each_threshold() {
        let from = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
        let to = from + chrono::Duration::days(7);
        let buckets: Vec<Bucket> = (0..168)
            .map(|h| {
                let v = 20.0 + (h as f64 / 24.0 * std::f64::consts::TAU).sin() * 3.0;
                Bucket {
                    start: from + chrono::Duration::hours(h),
                    min: v - 1.0,
                    max: v + 1.0,
                    avg: v,
                    count: 60,
                }
            })
            .collect();
        let svg = svg("kitchen (°C)", (from, to), &buckets, &[25.0, 15.0]).unwrap_or_default();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
        assert!(svg.contains("kitchen (°C)"));
        assert!(svg.contains("<polygon"), "the band");
        assert!(svg.contains("<polyline"), "the average");
        assert!(
            svg.matches("stroke=\"#C82828\"").count() >= 2,
            "a dashed line per threshold"
        );
    }

    #[test]
    fn any_window_a_query_may_name_draws_at_once() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Utc));
        for (from, to) in [
            ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
            ("2026-12-01T00:00:00Z", "2026-12-01T00:00:01Z"),
        ] {
            let (from, to) = (at(from).unwrap_or_default(), at(to).unwrap_or_default());
            let one = Bucket {
                start: from,
                min: -1e300,
                max: 1e300,
                avg: 0.0,
                count: 1,
            };
            let _ = svg("x", (from, to), &[one], &[f64::MAX]);
        }
    }

    #[test]
    fn no_readings_is_an_empty_chart_not_an_error() {
        let from = DateTime::<Utc>::UNIX_EPOCH;
        let svg = svg("empty", (from, from + chrono::Duration::hours(1)), &[], &[]);
        assert!(svg.is_ok_and(|s| s.contains("empty")));
    }
}
