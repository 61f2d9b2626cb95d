// A stand-in for the system browser in `--auth browser` tests. InteractiveBrowserCredential opens
// the sign-in URL with the `open` package, which on Linux runs `xdg-open URL` (bundled in dist/,
// `open` finds no xdg-open script of its own next to its chunk and uses the one on PATH). The test
// puts an `xdg-open` on PATH that runs this script, which does what a browser with a signed-in
// session does: GET the authorize URL (trusting the emulator's CA through NODE_EXTRA_CA_CERTS, as
// the CLI does), and follow the redirect to MSAL's loopback listener, which takes the code.
//
// With STAND_IN_BROWSER_FOLLOW=no it opens the page and stops there, as when the admin closes the
// tab before the redirect: the CLI waits on.
//
// Each step is appended as one JSON line to $STAND_IN_BROWSER_LOG (the authorization code itself
// is replaced by "<code>"): the CLI runs this detached with its output ignored, so the log is how
// the test sees what happened.
import { appendFileSync } from 'node:fs';

const logPath = process.env.STAND_IN_BROWSER_LOG;
const record = (entry) => {
  if (logPath) appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
};

const target = process.argv[2];
try {
  if (!target) throw new Error('no URL given');
  record({ step: 'open', url: target });
  const page = await fetch(target, { redirect: 'manual' });
  const location = page.headers.get('location');
  if (page.status !== 302 || !location) {
    const text = await page.text();
    record({ step: 'page', status: page.status, text: text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() });
  } else {
    const redirect = new URL(location);
    record({ step: 'redirect', status: page.status, location: redirect.toString().replace(/([?&#]code=)[^&]+/, '$1<code>') });
    if (process.env.STAND_IN_BROWSER_FOLLOW === 'no') {
      record({ step: 'closed' });
      process.exit();
    }
    if (redirect.hostname !== 'localhost' && redirect.hostname !== '127.0.0.1') throw new Error(`refusing to follow a redirect off the loopback: ${redirect.origin}`);
    // MSAL's listener answers a code with a redirect to its root (to keep the code out of the
    // history) and an error with its error page. Not followed further: once it has the code, the
    // CLI redeems it and closes the listener, so the success page may already be gone.
    const landed = await fetch(redirect, { redirect: 'manual' });
    record({ step: 'loopback', status: landed.status, location: landed.headers.get('location'), text: (await landed.text()).slice(0, 200) });
  }
} catch (error) {
  record({ step: 'failed', error: error instanceof Error ? `${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ''}` : String(error) });
  process.exitCode = 1;
}
