import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadConfig } from './lib/api';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
loadConfig()
  .then((config) => root.render(<App config={config} />))
  .catch((e: Error) => root.render(
    <main className="page"><h1>HMI configuration unavailable</h1><p className="error" role="alert">{e.message}</p>
      <p>The server writes <code>config.json</code> from EMS_DEVICE_API_URL, EMS_HISTORIAN_URL and EMS_MQTT_WS_URL.</p></main>,
  ));
