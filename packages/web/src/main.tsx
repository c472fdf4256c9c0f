/**
 * The HumanOS web console. Everything an agent wrote (descriptions, reasoning, payloads) is rendered
 * as text by Preact (never innerHTML), and the server's CSP allows no inline script or style.
 */
import { render } from 'preact';
import { App } from './App.js';
import './style.css';

render(<App />, document.getElementById('app') as HTMLElement);
