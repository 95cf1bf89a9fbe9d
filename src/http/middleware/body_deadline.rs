//! Every request body has a deadline (`[limits] body_timeout_s`): a client that trickles a body
//! (five bytes of a declared thousand, then nothing) would otherwise hold its connection, and a
//! file descriptor, for as long as it likes.
//!
//! The clock starts when the server first reads the body, so time the server itself spends
//! (waiting for an argon2 slot, say) is not charged to the client. Each
//! [`BODY_GRACE_BYTES`](crate::config::BODY_GRACE_BYTES) that arrive add a second, so a large
//! upload over a slow but honest link still finishes. A body past its deadline ends in a
//! [`timed_out`] error, which the extractors' error handlers answer with 408.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use bytes::Bytes;
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use crate::config::BODY_GRACE_BYTES;

/// Puts the deadline on the request's body.
pub async fn limit(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let seconds = req
        .app_data::<actix_web::web::Data<crate::http::AppState>>()
        .map(|s| s.settings.limits.body_timeout_s);
    if let Some(seconds) = seconds {
        let inner = req.parts_mut().1.take();
        req.set_payload(Payload::Stream {
            payload: Box::pin(Deadline {
                inner,
                base: Duration::from_secs(seconds),
                started: None,
                sleep: None,
                received: 0,
                done: false,
            }),
        });
    }
    next.call(req).await
}

/// Whether a body read failed because its deadline passed.
pub fn timed_out(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

struct Deadline {
    inner: Payload,
    base: Duration,
    started: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
    received: u64,
    /// The body ended, failed or ran out of time: nothing more is read.
    done: bool,
}

impl Deadline {
    fn due(&self, started: Instant) -> Instant {
        started + self.base + Duration::from_secs(self.received / BODY_GRACE_BYTES)
    }
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        if self.sleep.is_none() {
            let due = self.due(started);
            self.sleep = Some(Box::pin(tokio::time::sleep_until(due)));
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.received += chunk.len() as u64;
                let due = self.due(started);
                if let Some(sleep) = self.sleep.as_mut() {
                    sleep.as_mut().reset(due);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(end) => {
                self.done = true;
                Poll::Ready(end)
            }
            Poll::Pending => {
                let expired = self
                    .sleep
                    .as_mut()
                    .is_some_and(|s| s.as_mut().poll(cx).is_ready());
                if !expired {
                    return Poll::Pending;
                }
                self.done = true;
                Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                )))))
            }
        }
    }
}
