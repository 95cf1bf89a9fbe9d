//! Claim-code guessing: the default limits answer 429 on the page and the API.

use std::time::Duration;

use reqwest::blocking::Response;
use serde_json::{json, Value};

use super::*;

#[test]
fn guessing_claim_codes_gets_429_on_the_page_and_the_api_with_the_default_limits() {
    // Default limits: 10 failed claim codes per minute per client. A client is the address
    // the connection comes from (src/http/rate_limit.rs, a keyed hash of the peer address),
    // never a header: forwarding headers are ignored, so they cannot buy fresh attempts.
    let app = spawn_app();
    let code = app.submit(report("guess me"));
    let mut wrong: Vec<char> = code.chars().collect();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    let wrong: String = wrong.into_iter().collect();
    let page = |code: &str, forwarded: &str| {
        bare()
            .post(app.url("/followup"))
            .header("X-Forwarded-For", forwarded)
            .header("Forwarded", format!("for={forwarded}"))
            .form(&[("code", code)])
            .send()
            .unwrap()
    };
    let api_read = |code: &str, forwarded: &str| {
        bare()
            .get(app.url("/api/v1/followup"))
            .header("X-Forwarded-For", forwarded)
            .bearer_auth(code)
            .send()
            .unwrap()
    };
    let api_write = |code: &str, forwarded: &str| {
        bare()
            .post(app.url("/api/v1/followup/messages"))
            .header("X-Forwarded-For", forwarded)
            .bearer_auth(code)
            .json(&json!({ "body": "hello" }))
            .send()
            .unwrap()
    };

    // A right code is not a failure: using it costs nothing.
    for _ in 0..3 {
        assert_eq!(page(&code, "198.51.100.1").status(), 303);
        assert_eq!(api_read(&code, "198.51.100.1").status(), 200);
    }
    // Ten wrong guesses, spread over the page and the API, each claiming another address.
    for i in 0..10 {
        let forwarded = format!("198.51.100.{}", 10 + i);
        let res = match i % 3 {
            0 => page(&wrong, &forwarded),
            1 => api_read(&wrong, &forwarded),
            _ => api_write("not even a code", &forwarded),
        };
        assert_eq!(res.status(), 401, "guess {i}");
    }
    let retry_after = |res: &Response| -> u64 {
        let value = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&value), "Retry-After {value}");
        value
    };
    let res = page(&wrong, "203.0.113.1");
    assert_eq!(res.status(), 429, "the page");
    let mut wait = retry_after(&res);
    assert!(res.headers().get("set-cookie").is_none());
    assert_strict_headers(&headers_of(&res), false, "429 on POST /followup");
    let res = api_read(&wrong, "203.0.113.2");
    assert_eq!(res.status(), 429, "the API");
    wait = wait.max(retry_after(&res));
    assert_eq!(res.json::<Value>().unwrap()["error"], "rate_limited");
    assert_eq!(api_write(&wrong, "203.0.113.3").status(), 429);

    // The right code waits too: the limit is on the client, not the code, so a guesser who
    // hits the right code inside the window learns nothing from it.
    let res = page(&code, "203.0.113.4");
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(api_read(&code, "203.0.113.5").status(), 429);

    // The window is a fixed minute from the first failure; refusals inside it do not extend
    // it. Once it has passed, the right code opens the case again.
    std::thread::sleep(Duration::from_secs(wait + 1));
    assert_eq!(page(&code, "203.0.113.6").status(), 303);
    assert_eq!(api_read(&code, "203.0.113.7").status(), 200);
}
