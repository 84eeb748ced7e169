/** Entry point: mounts the app; an error while rendering still shows a message, never a blank page. */
import { render } from 'preact';
import { App } from './App.tsx';
import './styles.css';

const root = document.getElementById('app')!;
try {
  render(<App />, root);
} catch (e) {
  root.textContent = `The page could not be shown: ${(e as Error).message}`;
}
