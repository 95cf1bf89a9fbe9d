//! Statistics for officers: a page of SVG charts (no script), the same figures as CSV, and as
//! JSON. Only workflow metadata of the cases the officer can open; small cells suppressed.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::signed_in;
use super::views::chrome;
use crate::cases::statistics::Statistics;
use crate::http::errors::{html, PageError};
use crate::http::officer::views::StatisticsPage;
use crate::http::AppState;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// How many calendar months, up to this one (default 12; taken as 1 to 60).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    months: Option<u32>,
}

const DEFAULT_MONTHS: u32 = 12;

pub(crate) fn months(params: &Params) -> u32 {
    params.months.unwrap_or(DEFAULT_MONTHS).clamp(1, 60)
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<Params>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let months = months(&params);
    let stats = state
        .cases
        .statistics(&session.value.officer, months)
        .await?;
    let page = StatisticsPage::new(chrome(&session), months, stats, &state.cases.channels());
    Ok(html(&mut HttpResponse::Ok(), page))
}

pub async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<Params>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let stats = state
        .cases
        .statistics(&session.value.officer, months(&params))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"sealbox-statistics.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(to_csv(&stats)))
}

/// A CSV field, quoted when it must be (RFC 4180), and never read as a formula by a
/// spreadsheet (a leading `=`, `+`, `-` or `@` gets a quote mark).
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The same figures as the page: `section,item,month,value`, a suppressed count as `<5` and a
/// figure on too few cases as `suppressed`.
pub fn to_csv(s: &Statistics) -> String {
    let mut out = String::from("section,item,month,value\r\n");
    let mut row = |section: &str, item: &str, month: &str, value: String| {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            field(section),
            field(item),
            field(month),
            field(&value)
        ));
    };
    for (section, series) in [
        ("cases_by_channel", &s.by_channel),
        ("cases_by_kind", &s.by_kind),
        ("cases_by_source", &s.by_source),
        ("cases_by_category", &s.by_category),
    ] {
        for line in series {
            for (month, count) in s.months.iter().zip(&line.counts) {
                row(section, &line.id, month, count.to_string());
            }
        }
    }
    for (item, count) in [
        ("open", s.open),
        ("closed", s.closed),
        ("overdue", s.overdue),
    ] {
        row("cases_now", item, "", count.to_string());
    }
    let figure = |v: Option<f64>| v.map_or_else(|| "suppressed".to_owned(), |v| v.to_string());
    row(
        "median_days",
        "to_acknowledge",
        "",
        figure(s.median_days_to_acknowledge),
    );
    row(
        "median_days",
        "to_close",
        "",
        figure(s.median_days_to_close),
    );
    row(
        "acknowledged_within_7_days",
        "percent",
        "",
        figure(s.acknowledged_within_7_days),
    );
    for (outcome, count) in &s.outcomes {
        row("outcomes", outcome, "", count.to_string());
    }
    row(
        "satisfaction",
        "average",
        "",
        figure(s.satisfaction_average),
    );
    for (score, count) in &s.satisfaction {
        row("satisfaction", &score.to_string(), "", count.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=cmd()"), "'=cmd()");
        assert_eq!(field("<5"), "<5");
    }
}
