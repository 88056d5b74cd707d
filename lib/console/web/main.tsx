import { render } from "preact";
import { App } from "./app.js";
import { takeFragmentCredentials } from "./credentials.js";
import "./styles.css";

// Before anything renders or requests: the key leaves the address bar at once.
takeFragmentCredentials();
render(<App />, document.getElementById("app")!);
