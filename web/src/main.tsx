import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Header } from "./components/Header.js";
import { live } from "./live.js";
import { AccountPage } from "./pages/AccountPage.js";
import { AccountsPage } from "./pages/AccountsPage.js";
import { MarketPage } from "./pages/MarketPage.js";
import "./style.css";

type Route = { name: "accounts" } | { name: "account"; id: string } | { name: "market" };

/** Hash routes: #/ the accounts, #/accounts/<id> one account, #/market the oracles and vol surfaces. */
function parseRoute(hash: string): Route {
  const m = /^#\/accounts\/(.+)$/.exec(hash);
  if (m?.[1]) return { name: "account", id: decodeURIComponent(m[1]) };
  if (hash === "#/market") return { name: "market" };
  return { name: "accounts" };
}

function App() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  const [startError, setStartError] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onHash);
    live.start().catch((err: Error) => setStartError(err.message));
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return (
    <>
      <Header route={route.name === "market" ? "market" : "accounts"} />
      <main aria-live="polite">
        {startError ? <div class="panel error">{startError}</div> : null}
        {route.name === "account" ? (
          <AccountPage key={route.id} id={route.id} />
        ) : route.name === "market" ? (
          <MarketPage />
        ) : (
          <AccountsPage />
        )}
      </main>
      <footer class="foot muted">
        Margin reports from the xmargin engine, recomputed on every tick of the live feed.{" "}
        <a href="/openapi.json">API</a>
      </footer>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
