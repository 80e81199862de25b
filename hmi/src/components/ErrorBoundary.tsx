import { Component, type ReactNode } from 'react';

/**
 * A page that throws shows what went wrong and a way back instead of a blank screen; the rest
 * of the app (navigation, diagnostics, the broker connection) keeps running.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) { return { error }; }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="page" role="alert" data-page-error>
        <h1>This page could not be shown</h1>
        <p className="error">{this.state.error.message}</p>
        <p><a href="#/overview">Back to the overview</a> · <button type="button" onClick={() => this.setState({ error: null })}>Try again</button></p>
      </div>
    );
  }
}
