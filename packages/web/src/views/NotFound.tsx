import { useFocusHeading, useTitle } from '../lib/hooks.js';
import { Link } from '../lib/router.js';

export function NotFound() {
  useTitle('Not found');
  const h = useFocusHeading('404');
  return (
    <main id="main" tabIndex={-1} class="page">
      <h1 tabIndex={-1} ref={h.ref}>
        Nothing here
      </h1>
      <p>
        This address is not a page of the console. Go to the <Link href="/inbox">inbox</Link>.
      </p>
    </main>
  );
}
