// The web client's entry: three pages by path. / creates a classroom, /join/<id> signs a student
// up, /classroom/<id> is the live classroom (instructor or student).
import { render } from "preact";
import "./base.css";
import { lang } from "./i18n";
import { currentPath } from "./nav";
import { useObservable } from "./observable";
import { Classroom } from "./views/classroom";
import { Home } from "./views/home";
import { Join } from "./views/join";

function App() {
  const path = useObservable(currentPath);
  const m = /^\/(classroom|join)\/([0-9a-f]{32})\/?$/.exec(path);
  if (m?.[1] === "classroom") return <Classroom key={m[2]} id={m[2]} />;
  if (m?.[1] === "join") return <Join id={m[2]} />;
  return <Home />;
}

document.documentElement.lang = lang();
render(<App />, document.getElementById("app")!);
