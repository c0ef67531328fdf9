//! Graceful shutdown: a signal every session watches, raised once on
//! Ctrl-C or SIGTERM.

use tokio::sync::watch;

/// The receiving side, one clone per session.
#[derive(Debug, Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// The raising side, kept by `main`.
#[derive(Debug)]
pub struct Trigger(watch::Sender<bool>);

impl Shutdown {
    /// A new signal and its trigger.
    pub fn new() -> (Trigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (Trigger(tx), Shutdown(rx))
    }

    /// True once raised.
    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until raised; never returns if the trigger is dropped unraised.
    pub async fn wait(&mut self) {
        loop {
            if *self.0.borrow_and_update() {
                return;
            }
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

impl Trigger {
    /// Raises the signal.
    pub fn raise(&self) {
        let _ = self.0.send(true);
    }
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
