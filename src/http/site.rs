//! The organisation's face on the reporter pages: its name, logo and colour, the privacy
//! notice and imprint at `/privacy`, and the word on reporting to the authorities. The logo
//! is read once at start and served from this site (no other origin is ever asked).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::errors::{html, PageError};
use super::views::{paragraphs, PrivacyPage, Ui};
use super::AppState;
use crate::config::{parse_colour, read_logo, ConfigError, Settings, Text};

/// Built-in name: with it, pages say "sealbox" alone, with no "powered by".
const PRODUCT: &str = "sealbox";

#[derive(Debug, PartialEq, Eq)]
pub struct Branding {
    pub organisation: String,
    logo: Option<(Vec<u8>, &'static str)>,
    css: String,
    privacy_notice: Option<Text>,
    pub external_reporting: Option<Text>,
    imprint: Option<Text>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            organisation: PRODUCT.into(),
            logo: None,
            css: String::new(),
            privacy_notice: None,
            external_reporting: None,
            imprint: None,
        }
    }
}

impl Branding {
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let site = &settings.site;
        let logo = site.logo.as_deref().map(read_logo).transpose()?;
        // The accent is for light mode (checked against white text at start); dark mode keeps
        // its own light accent, and the stripe over the header carries the colour in both.
        let css = site
            .accent
            .as_deref()
            .and_then(parse_colour)
            .map(|[r, g, b]| {
                format!(
                    ":root {{ --accent: #{r:02x}{g:02x}{b:02x}; --brand: #{r:02x}{g:02x}{b:02x}; }}\n\
                     @media (prefers-color-scheme: dark) {{ :root {{ --accent: #7fb8e6; }} }}\n"
                )
            })
            .unwrap_or_default();
        Ok(Branding {
            organisation: settings.organisation.trim().to_owned(),
            logo,
            css,
            privacy_notice: site.privacy_notice.clone(),
            external_reporting: site.external_reporting.clone(),
            imprint: site.imprint.clone(),
        })
    }

    pub fn has_logo(&self) -> bool {
        self.logo.is_some()
    }

    /// Whether pages add a quiet "powered by sealbox".
    pub fn powered_by(&self) -> bool {
        self.organisation != PRODUCT
    }
}

pub async fn logo(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    match &state.brand.logo {
        Some((bytes, kind)) => Ok(HttpResponse::Ok()
            .content_type(*kind)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(bytes.clone())),
        None => Err(PageError(super::errors::Problem::not_found())),
    }
}

/// sealbox's own stylesheet, the same for every site.
pub async fn sealbox_stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../web/static/sealbox.css"))
}

pub async fn stylesheet(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(state.brand.css.clone())
}

pub async fn privacy(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let t = Ui::for_request(&req);
    let text = |text: &Option<Text>| {
        text.as_ref()
            .map(|x| paragraphs(x.get(t.lang)))
            .unwrap_or_default()
    };
    let page = PrivacyPage {
        notice: text(&state.brand.privacy_notice),
        imprint: text(&state.brand.imprint),
        t,
    };
    html(&mut HttpResponse::Ok(), page)
}
