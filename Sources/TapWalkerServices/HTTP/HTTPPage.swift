/// The web page: one HTML file with its CSS and JavaScript inline (the device has no internet),
/// edited here. A StaticString, so its bytes sit in the binary's read-only data (flash on the
/// ESP32), never copied to the heap. Tests hold it to at most 48 KB gzipped and self-contained,
/// and run its scripts in node and in Chromium. The raw literal cannot hold `"""#`; keep LF line
/// endings (a CR would be lost).
public enum HTTPPage {
    public static let html: StaticString = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TapWalker</title>
<style>
:root{--fg:#1b1f24;--bg:#f4f5f7;--card:#fff;--line:#d0d5dc;--accent:#0b5fbf;--bad:#b3261e;--ok:#1e7b34;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.4}
header{background:#16202c;color:#fff;padding:.6rem 1rem;display:flex;align-items:center;gap:1rem;flex-wrap:wrap}
header h1{font-size:1.1rem;margin:0;flex:1}
main{max-width:56rem;margin:0 auto;padding:1rem;display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem}
h2{font-size:1rem;margin:0 0 .6rem}
label{display:block;margin:.4rem 0 .2rem;font-weight:600}
input,select,button{font:inherit;padding:.45rem .6rem;border:1px solid var(--line);border-radius:6px;max-width:100%}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
button.plain{background:#fff;color:var(--accent)}
button:disabled{opacity:.5;cursor:default}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}
dt{font-weight:600}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}.row>div{min-width:0;max-width:100%}
#drop{border:2px dashed var(--line);border-radius:8px;padding:1.2rem;text-align:center;margin:.6rem 0}
#drop.over{border-color:var(--accent);background:#eaf2fc}
.msg{padding:.5rem .7rem;border-radius:6px;margin:.5rem 0}
.bad{background:#fbeaea;color:var(--bad)}.good{background:#e9f6ec;color:var(--ok)}.info{background:#eef1f5}
progress{width:100%;height:1.2rem}
table{width:100%;border-collapse:collapse}td,th{padding:.35rem;border-bottom:1px solid var(--line);text-align:left}
td.num{text-align:right;font-family:ui-monospace,monospace}
.hidden{display:none}
h3{font-size:.95rem;margin:.8rem 0 .3rem}.hint{font-size:.9em;color:#555}
ul.bare{list-style:none;padding:0;margin:0 0 .6rem}ul.bare li{display:flex;gap:.5rem;align-items:center;justify-content:space-between;padding:.25rem 0;border-bottom:1px solid var(--line)}
#banner{position:sticky;top:0;z-index:2}
@media (max-width:600px){main{padding:.5rem}td.hide-s,th.hide-s{display:none}}
</style>
</head>
<body>
<header><h1>TapWalker</h1><span id="who"></span><button id="logout" class="plain hidden" type="button">Log out</button></header>
<div id="banner" class="msg bad hidden" role="alert"></div>
<main>
<section id="login" class="hidden" aria-labelledby="login-h">
<h2 id="login-h">Log in</h2>
<form id="login-form">
<label for="user">User</label><input id="user" name="user" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="row" style="margin-top:.6rem"><button type="submit">Log in</button></div>
<div id="login-msg" role="status"></div>
</form>
</section>

<div id="app" class="hidden">
<section class="full-only" aria-labelledby="board-h">
<h2 id="board-h">Board</h2>
<dl id="board"><dt>State</dt><dd>not read yet</dd></dl>
<dl id="boot"><dt>Boots from flash</dt><dd id="boot-primary">not checked</dd><dt>Golden image</dt><dd id="boot-golden">not checked</dd></dl>
<div class="row" style="margin-top:.6rem"><button id="refresh" type="button" class="plain">Read board</button><button id="reload" type="button" class="plain">Reload from flash</button><button id="bootcheck" type="button" class="plain">Check boot</button></div>
</section>

<section class="full-only" aria-labelledby="send-h">
<h2 id="send-h">Program</h2>
<div class="row">
<div><label for="dest">Destination</label>
<select id="dest"><option value="fpga">FPGA (SRAM, until power-off)</option><option value="flash">SPI flash</option><option value="sd">SD card</option></select></div>
<div id="flash-addr-box" class="hidden"><label for="flash-addr">Flash address</label>
<input id="flash-addr" list="flash-addrs" value="0x000000" size="10"><datalist id="flash-addrs"><option value="0x000000"><option value="0x100000"><option value="0x200000"></datalist></div>
<div id="sd-addr-box" class="hidden"><label for="sd-addr">SD offset (bytes)</label><input id="sd-addr" value="0" size="10"></div>
</div>
<div id="drop" tabindex="0" role="button" aria-describedby="drop-help">
<p id="drop-help">Drop a bitstream or image here, or <label for="file" style="display:inline;color:var(--accent);text-decoration:underline;cursor:pointer">choose a file</label>.</p>
<input id="file" type="file" class="hidden">
</div>
<div id="check" role="status"></div>
<div class="row"><button id="send" type="button" disabled>Send</button></div>
<div class="row"><div style="flex:1"><label for="from-url">Or from URL (the board downloads it)</label>
<input id="from-url" type="url" placeholder="http://host/blink.bit.gz" style="width:100%"></div><button id="send-url" type="button">Program from URL</button></div>
<div id="progress-box" class="hidden"><progress id="bar" max="100" value="0"></progress><div id="rate" aria-live="polite"></div></div>
<div id="result" role="status"></div>
</section>

<section aria-labelledby="files-h">
<h2 id="files-h">Stored files</h2>
<div class="row"><span>In <b id="cwd">/</b></span><button id="mkdir" type="button" class="plain full-only">New folder</button><button id="sd-mount" type="button" class="plain full-only hidden">Mount SD card</button><button id="sd-umount" type="button" class="plain full-only hidden">Release SD card</button></div>
<div class="row full-only"><div><label for="store-file">Upload here</label><input id="store-file" type="file"></div><button id="store-up" type="button">Upload</button></div>
<table><thead><tr><th>Name</th><th class="hide-s">Size</th><th>Actions</th></tr></thead><tbody id="files"></tbody></table>
<div id="files-msg" role="status"></div>
</section>

<section class="full-only" aria-labelledby="dump-h">
<h2 id="dump-h">Flash dump</h2>
<div class="row"><div><label for="dump-addr">Address</label><input id="dump-addr" value="0x000000" size="10"></div>
<div><label for="dump-len">Length</label><input id="dump-len" value="0x100000" size="10"></div>
<button id="dump" type="button">Download</button></div>
<div id="dump-msg" class="msg" role="status" aria-live="polite"></div>
</section>

<section id="fw" class="hidden" aria-labelledby="fw-h">
<h2 id="fw-h">Firmware</h2>
<div id="fw-state" role="status"></div>
<div class="row"><div><label for="fw-file">New firmware (ESP-IDF app image, .bin)</label><input id="fw-file" type="file" accept=".bin"></div><button id="fw-up" type="button">Update firmware</button></div>
<div id="fw-check" role="status"></div>
<div id="fw-progress-box" class="hidden"><progress id="fw-bar" max="100" value="0"></progress><div id="fw-rate" aria-live="polite"></div></div>
<div id="fw-msg" role="status"></div>
</section>
<section id="wifi" class="hidden" aria-labelledby="wifi-h">
<h2 id="wifi-h" tabindex="-1">WiFi</h2>
<p id="wifi-setup" class="hidden">This device has not joined a network, so it is its own access point <b id="wifi-name"></b>. Pick your network, enter its password and add it: the device then leaves this access point and joins your network.</p>
<div id="wifi-state" role="status"></div>
<h3>Known networks</h3>
<ul id="wifi-nets" class="bare"></ul>
<div class="row"><button id="wifi-scan" type="button" class="plain">Scan for networks</button><span id="wifi-scan-msg" role="status"></span></div>
<table id="wifi-heard-t" class="hidden"><thead><tr><th>Network heard</th><th>Signal</th><th><span class="hidden">Action</span></th></tr></thead><tbody id="wifi-heard"></tbody></table>
<form id="wifi-form">
<label for="ssid">Network (SSID)</label><input id="ssid" name="ssid" required maxlength="32" autocomplete="off">
<label for="wpass">Password</label><input id="wpass" name="password" type="password" maxlength="64" autocomplete="new-password" aria-describedby="wpass-help">
<div id="wpass-help" class="hint">8 to 63 characters; empty for an open network.</div>
<div class="row" style="margin-top:.6rem"><button type="submit">Add network</button></div>
<div id="wifi-msg" role="status"></div>
</form>
</section>
</div>
</main>
<script>
"use strict";
const $=id=>document.getElementById(id);
let session=null,boardInfo=null,chosen=null,events=null;
function show(el,on){el.classList.toggle("hidden",!on)}
function msg(el,text,kind){el.innerHTML="";if(!text)return;const d=document.createElement("div");d.className="msg "+(kind||"info");d.textContent=text;el.appendChild(d)}
function banner(text){$("banner").textContent=text||"";show($("banner"),!!text)}
function hex(n,d){return "0x"+(n>>>0).toString(16).padStart(d||8,"0")}
function num(t){t=String(t).trim();const m=/^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(t);if(!m)return NaN;let v=Number(m[1]);if(/k/i.test(m[2]))v*=1024;if(/m/i.test(m[2]))v*=1048576;return v}
function size(n){return n<1024?n+" B":n<1048576?(n/1024).toFixed(1)+" KB":(n/1048576).toFixed(2)+" MB"}
// A device short of memory answers 503 with Retry-After and has done nothing; a GET is asked again
// after the wait it names (at most 5 s each time) until 30 s have been waited in all.
async function api(method,path,body,extra){
  const h=Object.assign({},extra||{});
  if(method!=="GET"&&session&&session.csrf)h["X-CSRF-Token"]=session.csrf;
  let r;
  for(let waited=0;;){
    try{r=await fetch(path,{method,body,headers:h,credentials:"same-origin"})}
    catch(e){banner("The connection to the board was lost. Check that it is powered and on the network, then reload the page.");throw e}
    if(r.status!==503||method!=="GET"||waited>=30)break;
    const wait=Math.min(Number(r.headers.get("Retry-After"))||1,5);waited+=wait;
    await new Promise(done=>setTimeout(done,wait*1000));
  }
  banner("");
  let j=null;try{j=await r.clone().json()}catch(e){}
  if(r.status===401&&path!=="/api/login"){toLogin();}
  return {status:r.status,ok:r.ok,json:j||{ok:r.ok,error:r.statusText},res:r};
}
function busyText(a){return a.status===409?"The board is busy: "+(a.json.holder||"another job")+" is using it. Try again when it is done.":null}
function toLogin(){session=null;show($("login"),true);show($("app"),false);show($("logout"),false);$("who").textContent="";if(events){events.close();events=null}$("user").focus()}
async function start(){
  const a=await api("GET","/api/session");session=a.json;
  if(!session.access){toLogin();return}
  show($("login"),false);show($("app"),true);show($("logout"),session.loggedIn);
  $("who").textContent=(session.user||"")+(session.access==="read"?" (read-only)":"");
  const full=session.access==="full";
  show($("wifi"),false);show($("fw"),false);
  document.querySelectorAll(".full-only").forEach(el=>show(el,full));
  // One request at a time, the event stream last: every connection costs the device a task's
  // memory, and the first answer (the files) matters most.
  await listFiles();if(full){await readBoard();await readWifi();await readFirmware();listen()}
}
$("login-form").addEventListener("submit",async e=>{
  e.preventDefault();
  const body=new URLSearchParams({user:$("user").value,password:$("password").value});
  const a=await api("POST","/api/login",body);
  if(a.ok){$("password").value="";msg($("login-msg"),"");start()}
  else msg($("login-msg"),a.status===429?a.json.error:"Wrong user or password.","bad");
});
$("logout").addEventListener("click",async()=>{await api("POST","/api/logout");toLogin()});
async function readBoard(){
  const a=await api("GET","/api/board");const dl=$("board");dl.innerHTML="";
  const add=(k,v)=>{const t=document.createElement("dt");t.textContent=k;const d=document.createElement("dd");d.textContent=v;dl.append(t,d)};
  if(!a.ok){add("State",busyText(a)||a.json.error||("error "+a.status));boardInfo=null;return}
  boardInfo=a.json;const b=a.json;
  add("Part",b.part||"unknown");add("IDCODE",b.idcode!=null?hex(b.idcode):"?");add("DONE",b.done==null?"?":b.done?"yes (configured)":"no");
  add("USERCODE",b.usercode!=null?hex(b.usercode):"?");add("Flash chip",b.flash||"not read yet");add("Protection",b.protection||"not read yet");
}
$("refresh").addEventListener("click",readBoard);
$("reload").addEventListener("click",async()=>{const a=await api("POST","/api/reload");showResult(a)});
// The boot check (POST: reading the flash stops the design): which image the FPGA would load, or why none.
function bootPath(p){return p.loads?"loads the image at "+hex(p.addr,6)+" ("+size(p.size)+", usercode "+p.usercode+")":p.reason}
function showBoot(b){
  if(!b)return;
  $("boot-primary").textContent=b.loads?(b.primary.loads?"":"primary fails ("+b.primary.reason+"); ")+bootPath(b):"nothing: "+b.reason;
  $("boot-golden").textContent=b.fallback?bootPath(b.fallback):"none (no jump table at the top of the flash)";
}
$("bootcheck").addEventListener("click",async()=>{const a=await api("POST","/api/flash/boot");showResult(a);readBoard()});
function destChanged(){const d=$("dest").value;show($("flash-addr-box"),d==="flash");show($("sd-addr-box"),d==="sd");if(chosen)inspect(chosen)}
$("dest").addEventListener("change",destChanged);
const drop=$("drop");
["dragenter","dragover"].forEach(t=>drop.addEventListener(t,e=>{e.preventDefault();drop.classList.add("over")}));
["dragleave","drop"].forEach(t=>drop.addEventListener(t,e=>{e.preventDefault();drop.classList.remove("over")}));
drop.addEventListener("drop",e=>{if(e.dataTransfer.files.length)inspect(e.dataTransfer.files[0])});
drop.addEventListener("keydown",e=>{if(e.key==="Enter"||e.key===" "){e.preventDefault();$("file").click()}});
$("file").addEventListener("change",()=>{if($("file").files.length)inspect($("file").files[0])});
async function head(file,n){return new Uint8Array(await file.slice(0,n).arrayBuffer())}
async function gunzipHead(file,n){
  if(typeof DecompressionStream==="undefined")return null;
  const reader=file.stream().pipeThrough(new DecompressionStream("gzip")).getReader();const parts=[];let got=0;
  try{while(got<n){const r=await reader.read();if(r.done)break;parts.push(r.value);got+=r.value.length}}catch(e){return null}finally{reader.cancel().catch(()=>{})}
  const out=new Uint8Array(got);let o=0;for(const p of parts){out.set(p,o);o+=p.length}return out;
}
// The ECP5 bitstream: after the preamble FF FF BD B3, VERIFY_ID (0xE2, three zero bytes) carries the IDCODE the part must have.
function idcodeOf(b){
  let i=0;for(;i+3<b.length;i++)if(b[i]===0xFF&&b[i+1]===0xFF&&b[i+2]===0xBD&&b[i+3]===0xB3)break;
  if(i+3>=b.length)return null;
  for(let k=i+4;k+7<b.length&&k<i+4096;k++)if(b[k]===0xE2&&b[k+1]===0&&b[k+2]===0&&b[k+3]===0)return((b[k+4]<<24)|(b[k+5]<<16)|(b[k+6]<<8)|b[k+7])>>>0;
  return null;
}
async function inspect(file){
  chosen=file;const lines=[];let bad=null;
  let b=await head(file,65536);const gz=b.length>1&&b[0]===0x1F&&b[1]===0x8B;
  lines.push(file.name+": "+size(file.size)+(gz?", gzip-compressed (the board decompresses it)":""));
  if(gz){const u=await gunzipHead(file,65536);if(u)b=u;else lines.push("This browser cannot look inside gzip; the board checks it.")}
  const id=idcodeOf(b);const dest=$("dest").value;
  if(id!=null){
    lines.push("ECP5 bitstream for IDCODE "+hex(id)+".");
    if(boardInfo&&boardInfo.idcode!=null&&(boardInfo.idcode>>>0)!==id&&dest!=="sd")bad="This bitstream is for "+hex(id)+", but the board's FPGA is "+hex(boardInfo.idcode)+(boardInfo.part?" ("+boardInfo.part+")":"")+". Not sent.";
    else if(!boardInfo)lines.push("The board was not read, so the part could not be compared.");
    else lines.push("It matches the board's FPGA.");
  }else if(dest==="fpga")lines.push("No ECP5 VERIFY_ID found in the first 64 KB; the board will check the file.");
  const box=$("check");box.innerHTML="";lines.forEach(l=>{const d=document.createElement("div");d.className="msg info";d.textContent=l;box.appendChild(d)});
  if(bad){const d=document.createElement("div");d.className="msg bad";d.textContent=bad;box.innerHTML="";box.appendChild(d)}
  $("send").disabled=!!bad;$("send").dataset.refused=bad?"1":"";
}
function target(){
  const d=$("dest").value;
  if(d==="fpga")return "/api/fpga";
  if(d==="flash"){const a=num($("flash-addr").value);if(isNaN(a))throw new Error("The flash address is not a number.");return "/api/flash?addr="+hex(a,6)}
  const a=num($("sd-addr").value);if(isNaN(a))throw new Error("The SD offset is not a number.");return "/api/sd?addr="+a;
}
function showResult(a){
  if(a.json&&a.json.boot)showBoot(a.json.boot);
  const box=$("result");box.innerHTML="";
  const b=busyText(a);if(b){msg(box,b,"bad");return}
  const j=a.json;const d=document.createElement("div");d.className="msg "+(j.ok?"good":"bad");
  const t=document.createElement("div");t.textContent=j.ok?(j.message||"Done."):(j.error||"Failed ("+a.status+").");d.appendChild(t);
  if(j.status){const s=document.createElement("div");s.textContent="Status: "+(typeof j.status==="string"?j.status:JSON.stringify(j.status));d.appendChild(s)}
  if(j.advice){const s=document.createElement("div");s.textContent=j.advice;d.appendChild(s)}
  box.appendChild(d);
}
$("send").addEventListener("click",async()=>{
  if(!chosen||$("send").dataset.refused)return;let path;
  try{path=target()}catch(e){msg($("result"),e.message,"bad");return}
  $("send").disabled=true;msg($("result"),"Sending "+chosen.name+"…");progress(0,chosen.size,0,null);
  try{const a=await api("PUT",path,chosen,{"Content-Type":"application/octet-stream"});showResult(a);if(a.ok)readBoard()}
  catch(e){msg($("result"),"The connection dropped during the transfer; the board may hold a partial write.","bad")}
  finally{$("send").disabled=false}
});
// The board fetches the URL itself (POST with {"url"}); an SD card write takes an uploaded image only.
$("send-url").addEventListener("click",async()=>{
  const u=$("from-url").value.trim();let path;
  if(!/^https?:\/\//i.test(u)){msg($("result"),"Give an http:// or https:// URL.","bad");return}
  if($("dest").value==="sd"){msg($("result"),"The SD card is written from an uploaded image only; choose the FPGA or the flash.","bad");return}
  try{path=target()}catch(e){msg($("result"),e.message,"bad");return}
  $("send-url").disabled=true;msg($("result"),"The board is downloading "+u+"…");
  try{const a=await api("POST",path,JSON.stringify({url:u}),{"Content-Type":"application/json"});showResult(a);if(a.ok)readBoard()}
  catch(e){msg($("result"),"The connection dropped during the job; the board may hold a partial write.","bad")}
  finally{$("send-url").disabled=false}
});
// The job's progress goes to the card that started it: "fw-" for a firmware update.
let bars="";
function progress(bytes,total,rate,eta){
  show($(bars+"progress-box"),true);const bar=$(bars+"bar");
  if(total){bar.max=total;bar.value=bytes}else bar.removeAttribute("value");
  $(bars+"rate").textContent=size(bytes)+(total?" of "+size(total):"")+(rate?" at "+size(rate)+"/s":"")+(eta!=null?", "+eta+" s left":"");
}
function listen(){
  if(events||typeof EventSource==="undefined")return;
  events=new EventSource("/api/events");
  events.addEventListener("progress",e=>{const p=JSON.parse(e.data);progress(p.bytes,p.total,p.rate,p.eta)});
  events.addEventListener("start",e=>{const p=JSON.parse(e.data);bars=p.job==="firmware"?"fw-":"";show($(bars+"progress-box"),true);$(bars+"rate").textContent=p.job+" for "+p.holder})
  events.addEventListener("result",e=>{const j=JSON.parse(e.data);if(bars){bars="";return}showResult({status:j.ok?200:500,json:j})});
  events.onerror=()=>{if(events&&events.readyState===EventSource.CLOSED){events=null;setTimeout(listen,3000)}};
}
// Firmware: shown only where GET /api/firmware answers (the device). The image goes to the OTA slot
// that is not running; the device checks it whole, switches its boot and restarts into it, and the
// new firmware confirms itself once its services are up (docs/firmware-update.md).
let fwChip=null;
function fwText(f){return "Running "+f.slot+": "+f.project+" "+f.version+" for "+f.chip+(f.confirmed?"":" (not yet confirmed: a reset now returns to the previous firmware)")+(f.next_boot?"; the next boot starts "+f.next_boot:"")+". Updates go to the other slot ("+size(f.slot_bytes)+")."}
async function readFirmware(){const a=await api("GET","/api/firmware");show($("fw"),a.ok);if(a.ok){fwChip=a.json.chip;msg($("fw-state"),fwText(a.json),a.json.confirmed?"info":"bad")}return a}
const fwChips={5:"esp32c3",13:"esp32c6",18:"esp32p4"};
function cText(b,at){let t="";for(let i=at;i<at+32&&b[i];i++)t+=String.fromCharCode(b[i]);return t}
// What the image's header and application description say (the device checks all of it again).
$("fw-file").addEventListener("change",async()=>{
  const f=$("fw-file").files[0];if(!f){msg($("fw-check"),"");return}
  const b=await head(f,288),chip=fwChips[b[12]|(b[13]<<8)];
  if(b[0]!==0xE9){msg($("fw-check"),f.name+" is not an ESP-IDF app image (it does not start with 0xE9).","bad");return}
  msg($("fw-check"),f.name+": "+size(f.size)+", "+(cText(b,80)||"?")+" "+(cText(b,48)||"?")+" for "+(chip||"an unknown chip")+"."+(fwChip&&chip!==fwChip?" This device is an "+fwChip+": it will refuse it.":""),fwChip&&chip!==fwChip?"bad":"info");
});
$("fw-up").addEventListener("click",async()=>{
  const f=$("fw-file").files[0];if(!f){msg($("fw-msg"),"Choose an image first.","bad");return}
  if(!confirm("Install "+f.name+" and restart the device into it?"))return;
  $("fw-up").disabled=true;msg($("fw-msg"),"Sending "+f.name+"…");bars="fw-";progress(0,f.size,0,null);
  try{
    const a=await api("PUT","/api/firmware",f,{"Content-Type":"application/octet-stream"});
    if(!a.ok){msg($("fw-msg"),busyText(a)||a.json.error||("Failed ("+a.status+")."),"bad");bars="";return}
    msg($("fw-msg"),a.json.message+" This page reconnects when the device is back.","good");
    setTimeout(fwWait,3000);
  }catch(e){msg($("fw-msg"),"The connection dropped during the upload; the device still runs its firmware and boots it next.","bad")}
  finally{$("fw-up").disabled=false}
});
async function fwWait(){
  let r=null;try{r=await fetch("/api/firmware",{credentials:"same-origin"})}catch(e){}
  if(!r){setTimeout(fwWait,2000);return}
  banner("");if(r.status===401){toLogin();return}
  const j=await r.json().catch(()=>null);if(j&&j.ok)msg($("fw-msg"),"The device is back. "+fwText(j),"good");readFirmware();
}
// A stored file's URL: each path segment encoded on its own, so that #, ?, % and spaces in a name
// stay part of the name (encodeURI would leave # and ? to end the path).
function fileURL(p){return "/api/files"+p.split("/").map(encodeURIComponent).join("/")}
// The folder shown; /sd is the SD card's file system where the device has one.
let cwd="/";
function inCwd(name){return (cwd==="/"?"":cwd)+"/"+name}
function fileButton(text,label,run){const b=document.createElement("button");b.type="button";b.className="plain";b.textContent=text;b.setAttribute("aria-label",label);b.addEventListener("click",run);return b}
async function listFiles(){
  $("cwd").textContent=cwd;const a=await api("GET",fileURL(cwd==="/"?"/":cwd));const tb=$("files");tb.innerHTML="";
  const sd=cwd==="/sd"||cwd.startsWith("/sd/")||(a.ok&&cwd==="/"&&a.json.entries.some(f=>f.dir&&f.name==="sd"));
  show($("sd-mount"),sd);show($("sd-umount"),sd);
  if(cwd!=="/"){const tr=document.createElement("tr");const td=document.createElement("td");td.colSpan=3;
    td.appendChild(fileButton("Up (..)","Up to the parent folder",()=>{cwd=cwd.slice(0,cwd.lastIndexOf("/"))||"/";listFiles()}));tr.appendChild(td);tb.appendChild(tr)}
  if(!a.ok){msg($("files-msg"),a.json.error,"bad");return}msg($("files-msg"),"");
  for(const f of a.json.entries){
    const tr=document.createElement("tr");const p=inCwd(f.name);
    const n=document.createElement("td");
    if(f.dir)n.appendChild(fileButton(f.name+"/","Open "+f.name,()=>{cwd=p;listFiles()}));else n.textContent=f.name;
    const s=document.createElement("td");s.className="num hide-s";s.textContent=f.dir?"":size(f.size);
    const act=document.createElement("td");
    if(!f.dir){
      const dl=document.createElement("a");dl.href=fileURL(p);dl.textContent="Download";dl.setAttribute("download",f.name);dl.setAttribute("aria-label","Download "+f.name);act.append(dl," ");
      if(session.access==="full")act.append(fileButton("Program","Program "+f.name,()=>programStored(p))," ");
    }
    if(session.access!=="full"){tr.append(n,s,act);tb.appendChild(tr);continue}
    act.append(fileButton("Rename","Rename "+f.name,async()=>{const to=prompt("New name for "+f.name,f.name);if(!to||to===f.name)return;
      const r=await api("POST",fileURL(p)+"?"+new URLSearchParams({op:"rename",to:inCwd(to)}).toString());await listFiles();if(!r.ok)msg($("files-msg"),r.json.error,"bad")})," ");
    act.append(fileButton("Delete","Delete "+f.name,async()=>{if(!confirm("Delete "+f.name+"?"))return;const r=await api("DELETE",fileURL(p));await listFiles();if(!r.ok)msg($("files-msg"),r.json.error,"bad")}));
    tr.append(n,s,act);tb.appendChild(tr);
  }
  if(!a.json.entries.length){const tr=document.createElement("tr");const td=document.createElement("td");td.colSpan=3;td.textContent="No files.";tr.appendChild(td);tb.appendChild(tr)}
}
$("mkdir").addEventListener("click",async()=>{const name=prompt("Name of the new folder in "+cwd);if(!name)return;
  const r=await api("POST",fileURL(inCwd(name))+"?op=mkdir");await listFiles();msg($("files-msg"),r.ok?"Made "+inCwd(name)+".":r.json.error,r.ok?"good":"bad")});
// Mounting and releasing take the board's job lock (a raw SD write may be running).
for(const [id,op] of [["sd-mount","mount"],["sd-umount","umount"]])$(id).addEventListener("click",async()=>{
  const r=await api("POST","/api/sd/"+op);if(op==="umount"&&cwd.startsWith("/sd"))cwd="/";await listFiles();msg($("files-msg"),r.ok?r.json.message:(busyText(r)||r.json.error),r.ok?"good":"bad")});
async function programStored(p){
  let path;try{path=target()}catch(e){msg($("result"),e.message,"bad");return}
  const d=$("dest").value;const q=new URLSearchParams({file:p,dest:d});
  if(d!=="fpga")q.set("addr",new URL(path,location.href).searchParams.get("addr"));
  msg($("result"),"Programming "+p+"…");const a=await api("POST","/api/program?"+q.toString());showResult(a);
}
$("store-up").addEventListener("click",async()=>{
  const f=$("store-file").files[0];if(!f){msg($("files-msg"),"Choose a file first.","bad");return}
  msg($("files-msg"),"Uploading "+f.name+"…");
  const a=await api("PUT",fileURL(inCwd(f.name)),f,{"Content-Type":"application/octet-stream"});
  if(a.ok)$("store-file").value="";await listFiles();msg($("files-msg"),a.ok?"Stored "+f.name+(cwd==="/"?"":" in "+cwd)+".":a.json.error,a.ok?"good":"bad");
});
// Reading the flash clears the running design, so it is a POST with the token, never a link.
$("dump").addEventListener("click",async()=>{
  const a=num($("dump-addr").value),n=num($("dump-len").value);
  if(isNaN(a)||isNaN(n)||n<=0){msg($("dump-msg"),"Address and length must be numbers (0x hex or decimal).","bad");return}
  msg($("dump-msg"),"Reading "+size(n)+" of flash from "+hex(a,6)+"…");
  const r=await api("POST","/api/flash?addr="+hex(a,6)+"&length="+n);
  if(!r.ok){msg($("dump-msg"),busyText(r)||r.json.error,"bad");return}
  const l=document.createElement("a");l.href=URL.createObjectURL(await r.res.blob());l.download="flash-"+hex(a,6)+".bin";
  document.body.appendChild(l);l.click();l.remove();setTimeout(()=>URL.revokeObjectURL(l.href),60000);
  msg($("dump-msg"),"Downloaded "+size(n)+" from "+hex(a,6)+".","good");
});
// WiFi: shown only where GET /api/wifi answers (the device; the host has none). On the device's own
// access point the card moves to the top as "Set up WiFi".
function signal(r){return r+" dBm ("+(r>=-55?"strong":r>=-70?"good":r>=-80?"weak":"very weak")+")"}
function button(text,label,fn){const b=document.createElement("button");b.type="button";b.className="plain";b.textContent=text;b.setAttribute("aria-label",label);b.addEventListener("click",fn);return b}
async function readWifi(){const a=await api("GET","/api/wifi");show($("wifi"),a.ok);if(a.ok)renderWifi(a.json);return a}
function renderWifi(w){
  const ap=w.accessPoint&&!w.connected,card=$("wifi"),app=$("app"),was=card.dataset.setup==="1";
  card.dataset.setup=ap?"1":"";$("wifi-h").textContent=ap?"Set up WiFi":"WiFi";$("wifi-name").textContent=w.name;show($("wifi-setup"),ap);
  if(ap&&!was){app.prepend(card);$("wifi-h").focus();if(!w.heard.length&&!w.scanning)scan()}else if(!ap&&was)app.append(card);
  msg($("wifi-state"),w.connected?"Connected to "+w.connected+(w.address?" as "+w.address:"")+".":w.joining?"Joining "+w.joining+"…":w.accessPoint?"Access point "+w.name+" is up; no network joined.":"Not connected; looking for a known network.",w.connected?"good":"info");
  if(w.problem){const d=document.createElement("div");d.className="msg bad";d.textContent=w.problem;$("wifi-state").appendChild(d)}
  const ul=$("wifi-nets");ul.innerHTML="";
  for(const n of w.networks){const li=document.createElement("li");const t=document.createElement("span");t.textContent=n;
    li.append(t,button("Remove","Remove "+n,async()=>{if(!confirm("Forget the network "+n+"?"))return;const a=await api("DELETE","/api/wifi?ssid="+encodeURIComponent(n));if(a.ok)renderWifi(a.json);msg($("wifi-msg"),a.ok?"Removed "+n+".":a.json.error,a.ok?"good":"bad")}));ul.appendChild(li)}
  if(!w.networks.length){const li=document.createElement("li");li.textContent="None yet.";ul.appendChild(li)}
  const tb=$("wifi-heard");tb.innerHTML="";show($("wifi-heard-t"),w.heard.length>0);
  for(const h of w.heard){const tr=document.createElement("tr");const n=document.createElement("td");n.textContent=h.ssid+(h.known?" (known)":"");
    const s=document.createElement("td");s.textContent=signal(h.rssi);const act=document.createElement("td");
    act.append(button("Use","Use "+h.ssid,()=>{$("ssid").value=h.ssid;$("wpass").focus()}));tr.append(n,s,act);tb.appendChild(tr)}
}
async function scan(){
  const b=$("wifi-scan"),m=$("wifi-scan-msg");b.disabled=true;m.textContent="Scanning…";
  try{const a=await api("POST","/api/wifi/scan");if(!a.ok){msg(m,a.json.error,"bad");return}
    for(let i=0;i<20;i++){await new Promise(r=>setTimeout(r,1000));const g=await readWifi();if(!g.ok||!g.json.scanning)break}
    m.textContent=""}
  finally{b.disabled=false}
}
$("wifi-scan").addEventListener("click",scan);
$("wifi-form").addEventListener("submit",async e=>{
  e.preventDefault();const ssid=$("ssid").value,ap=$("wifi").dataset.setup==="1",name=$("wifi-name").textContent;
  const a=await api("POST","/api/wifi",new URLSearchParams({ssid,password:$("wpass").value}));
  if(!a.ok){msg($("wifi-msg"),a.json.error,"bad");return}
  $("wpass").value="";$("ssid").value="";renderWifi(a.json);
  msg($("wifi-msg"),ap?"Saved. The device now joins "+ssid+" and closes its access point "+name+", so this page will lose its connection. Join "+ssid+" yourself, then open the device at its new address: it is printed on the device's serial console when it joins (the status command shows it again). The device's name is "+name+".":"Saved. The device uses "+ssid+" when it is heard.","good");
});
start().catch(()=>{});
</script>
</body>
</html>

"""#
}
