import { type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";

// Where the List-Unsubscribe header of a digest sent to a company list address leads. The list is
// the company's: one reader must not be able to unsubscribe everyone on it, so this page only
// says how to leave it.

export const meta: MetaFunction = () => [{ title: "Leaving the digest's mailing list · Hindsight" }];

export default function MailingList() {
  return (
    <div className="narrow panel">
      <h1>You get the digest through a mailing list</h1>
      <p>
        This digest was sent to one of your company's mailing lists, not to you alone. Hindsight cannot take you off that list, and unsubscribing here would stop it for
        everyone on it.
      </p>
      <p>To stop getting it, ask the list's owner (your IT or internal-communications team) to take you off the list, or filter the digest in your mail program.</p>
      <p>
        If you want the digest at your own address instead, with a link that unsubscribes only you, <Link to="/account">subscribe on your account page</Link>.
      </p>
    </div>
  );
}
