import { render } from 'preact';
import { App } from './app.tsx';
import { initI18n } from './i18n/index.ts';
import './styles.css';

const root = document.getElementById('app');
if (!root) throw new Error('#app missing from index.html');

await initI18n();
render(<App />, root);
