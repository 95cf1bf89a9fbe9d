//! QR codes as inline SVG, rendered on the server (no script, no image from elsewhere).

use std::fmt::Write;

use qrcodegen::{QrCode, QrCodeEcc};

/// An SVG drawing of `text` as a QR code; empty if the text is too long for one.
pub fn svg(text: &str) -> String {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    const BORDER: i32 = 4;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + BORDER, y + BORDER);
            }
        }
    }
    let side = qr.size() + 2 * BORDER;
    format!(
        "<svg viewBox=\"0 0 {side} {side}\" role=\"img\" aria-label=\"QR code for your \
         authenticator app\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" \
         height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_modules() {
        let svg = super::svg("otpauth://totp/x?secret=ABC");
        assert!(svg.starts_with("<svg viewBox=\"0 0 ") && svg.contains("h1v1h-1z"));
        assert!(super::svg(&"x".repeat(10_000)).is_empty());
    }
}
