// Messages drawn as DOM: bubbles, design images, product and atelier cards, buttons, and
// the progress bubble of a turn under way. Text always goes in as text, never as HTML.

const ACTIVITY = {
  thinking: "Thinking…",
  searching: "Looking through the catalogue…",
  drawing: "Drawing your designs…",
  matching: "Finding ateliers that can make it…",
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A link or image address the page may use: this site's paths and http(s) only. */
function safeUrl(url) {
  if (!url) return null;
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function money(price, currency) {
  try {
    const digits = Number.isInteger(price) ? 0 : 2;
    const format = { style: "currency", currency, minimumFractionDigits: digits };
    return new Intl.NumberFormat(undefined, format).format(price);
  } catch {
    return `${price} ${currency}`;
  }
}

function picture(src, alt, className) {
  const img = el("img", className);
  img.src = src;
  img.alt = alt;
  img.loading = "lazy";
  return img;
}

function gallery(images) {
  const list = el("div", "gallery");
  for (const image of images) {
    const src = safeUrl(image.url);
    if (!src) continue;
    const figure = el("figure");
    figure.append(picture(src, image.caption || "A design"));
    if (image.caption) figure.append(el("figcaption", "", image.caption));
    list.append(figure);
  }
  return list;
}

function productCard(product) {
  const card = el("li", "card product");
  const src = safeUrl(product.image_url);
  if (src) card.append(picture(src, product.name));
  const body = el("div", "card-body");
  body.append(el("h3", "", product.name));
  if (product.brand) body.append(el("p", "muted", product.brand));
  body.append(el("p", "price", money(product.price, product.currency)));
  if (product.why) body.append(el("p", "why", product.why));
  const shop = safeUrl(product.url);
  if (shop) {
    const link = el("a", "shop", "View in shop");
    link.href = shop;
    link.target = "_blank";
    link.rel = "noopener";
    link.setAttribute("aria-label", `View ${product.name} in the shop (opens a new tab)`);
    body.append(link);
  }
  card.append(body);
  return card;
}

function atelierCard(atelier) {
  const card = el("li", "card atelier");
  const body = el("div", "card-body");
  body.append(el("h3", "", atelier.name));
  const distance = atelier.distance_km == null ? "" : ` · ${Math.round(atelier.distance_km)} km`;
  body.append(el("p", "muted", `${atelier.city}${distance}`));
  const facts = el("p", "facts");
  facts.append(
    el("span", "", atelier.price_range),
    el("span", "", `~${atelier.lead_time_days} days`),
    el("span", "rating", `★ ${atelier.rating.toFixed(1)}`),
  );
  body.append(facts);
  if (atelier.why) body.append(el("p", "why", atelier.why));
  card.append(body);
  return card;
}

function cards(className, items, make) {
  const list = el("ul", `cards ${className}`);
  list.append(...items.map(make));
  return list;
}

/** An answered message: its buttons gone, its outcome shown. */
export function settleNode(node, outcome) {
  node.querySelector(".choices")?.remove();
  let line = node.querySelector(".outcome");
  if (!line) {
    line = el("p", "outcome");
    node.append(line);
  }
  line.textContent = outcome;
}

/** The assistant's message; `onPress(choice, node)` runs when one of its buttons is pressed. */
export function replyNode(entry, onPress) {
  const { reply } = entry;
  const node = el("article", `msg bot${entry.inbox ? " notice" : ""}`);
  if (reply.text) node.append(el("p", "bubble", reply.text));
  if (reply.images.length) node.append(gallery(reply.images));
  if (reply.products.length) node.append(cards("products", reply.products, productCard));
  if (reply.ateliers.length) node.append(cards("ateliers", reply.ateliers, atelierCard));
  if (entry.outcome) {
    settleNode(node, entry.outcome);
  } else if (reply.choices.length) {
    const choices = el("div", "choices");
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", "Answers");
    for (const choice of reply.choices) {
      const button = el("button", "choice", choice.label);
      button.type = "button";
      button.addEventListener("click", () => onPress(choice, node));
      choices.append(button);
    }
    node.append(choices);
  }
  return node;
}

/** What the shopper sent: words, a pressed button's label, or a photo. */
export function mineNode(entry) {
  const node = el("article", `msg me${entry.pressed ? " pressed" : ""}`);
  if (entry.preview) node.append(picture(entry.preview, "Your photo", "preview"));
  if (entry.text) node.append(el("p", "bubble", entry.text));
  return node;
}

/** A line from the page itself (a refusal, being offline). */
export function noticeNode(text) {
  const node = el("p", "msg system", text);
  node.setAttribute("role", "status");
  return node;
}

/** The bubble of a turn under way: `update(progress)` shows its words, `node` is it. */
export function pendingNode() {
  const node = el("article", "msg bot pending");
  node.setAttribute("aria-busy", "true");
  const bubble = el("p", "bubble");
  const dots = el("span", "dots");
  dots.setAttribute("aria-hidden", "true");
  dots.append(el("i"), el("i"), el("i"));
  const words = el("span", "progress", ACTIVITY.thinking);
  bubble.append(dots, words);
  node.append(bubble);
  return {
    node,
    update(progress) {
      node.dataset.activity = progress.activity;
      words.textContent = progress.text || ACTIVITY[progress.activity] || ACTIVITY.thinking;
    },
  };
}
