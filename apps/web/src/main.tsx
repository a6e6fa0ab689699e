import './app/no-eval.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { applyTheme } from './app/theme.js';
import { initI18n } from './i18n/index.js';
import './styles/global.css';

applyTheme();
await initI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
