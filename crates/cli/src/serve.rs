//! The composition root: the configured store, clock and settings put
//! together into the web app, served until Ctrl-C or SIGTERM (by `serve`
//! and `demo`).

use crate::config::Config;
use anyhow::Context;
use safetynet_domain::clock::SharedClock;
use safetynet_store::Store;

/// Serves the web app until Ctrl-C or SIGTERM.
pub async fn serve(store: Store, config: &Config, clock: SharedClock) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.bind.value)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind.value))?;
    let addr = listener.local_addr()?;
    println!("SafetyNet is running at http://{addr}/  (Ctrl-C to stop)");
    let state = safetynet_web::AppState::new(store, clock, config.web());
    safetynet_web::serve(listener, state).await?;
    Ok(())
}
