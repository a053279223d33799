package io.jsanlock.vm.domain;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

/**
 * Parses domain XML the way libvirt's domain parser does for the parts jvirsh uses, with
 * libvirt's error texts (vm-leases.md §3.1, §4.7). Parsing never touches storage: a lease
 * that does not exist or whose lockspace is not joined is only noticed at start.
 */
public final class DomainXml {
    private static final Set<String> DOMAIN_TYPES = Set.of("none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml",
            "openvz", "test", "vmware", "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");

    private DomainXml() {
    }

    /** Parses a definition; a missing uuid is generated, as libvirt does at define time. */
    public static DomainDef parse(String xml) throws VirError {
        Document doc = read(xml);
        Element root = doc.getDocumentElement();
        if (!"domain".equals(root.getTagName())) {
            throw new VirError(VirErrorCode.XML_ERROR,
                    "unexpected root element <" + root.getTagName() + ">, expecting <domain>");
        }
        String type = root.getAttribute("type");
        if (!root.hasAttribute("type")) {
            throw new VirError(VirErrorCode.XML_ERROR, "Missing required attribute 'type' in element 'domain'");
        }
        if (!DOMAIN_TYPES.contains(type)) {
            throw new VirError(VirErrorCode.XML_ERROR,
                    "Invalid value for attribute 'type' in element 'domain': '" + type + "'.");
        }
        Element nameEl = child(root, "name");
        String name = nameEl == null ? "" : nameEl.getTextContent().trim();
        if (name.isEmpty()) {
            throw new VirError(VirErrorCode.NO_NAME, "missing name information");
        }
        if (name.contains("/")) {
            throw new VirError(VirErrorCode.XML_ERROR, "name " + name + " cannot contain '/'");
        }
        String uuid = uuid(doc, root, nameEl);
        long memory = memory(root);
        int vcpus = vcpus(root);
        Element devices = child(root, "devices");
        String emulator = null;
        List<Disk> disks = new ArrayList<>();
        List<Lease> leases = new ArrayList<>();
        if (devices != null) {
            Element em = child(devices, "emulator");
            if (em != null && !em.getTextContent().trim().isEmpty()) {
                emulator = em.getTextContent().trim();
            }
            for (Element d : children(devices, "disk")) {
                disks.add(disk(d));
            }
            for (Element l : children(devices, "lease")) {
                leases.add(lease(l));
            }
        }
        LockFailureAction onLockFailure = LockFailureAction.DEFAULT;
        Element olf = child(root, "on_lockfailure");
        if (olf != null) {
            onLockFailure = LockFailureAction.parse(olf.getTextContent().trim());
        }
        List<String> extraArgs = new ArrayList<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().endsWith(":commandline")) {
                for (Node a = e.getFirstChild(); a != null; a = a.getNextSibling()) {
                    if (a instanceof Element arg && arg.getTagName().endsWith(":arg")) {
                        extraArgs.add(arg.getAttribute("value"));
                    }
                }
            }
        }
        return new DomainDef(type, name, uuid, memory, vcpus, emulator, List.copyOf(disks), List.copyOf(leases),
                onLockFailure, List.copyOf(extraArgs), write(doc));
    }

    /**
     * The attributes of the element {@code tag} (a prefixed name such as {@code jvirsh:ha})
     * under the domain's {@code <metadata>}, or empty when there is none. libvirt keeps such
     * application metadata, one element per namespace, with the definition.
     */
    public static java.util.Optional<java.util.Map<String, String>> metadata(String xml, String tag) throws VirError {
        Element md = child(read(xml).getDocumentElement(), "metadata");
        Element e = md == null ? null : child(md, tag);
        if (e == null) {
            return java.util.Optional.empty();
        }
        java.util.Map<String, String> attrs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < e.getAttributes().getLength(); i++) {
            Node a = e.getAttributes().item(i);
            attrs.put(a.getNodeName(), a.getNodeValue());
        }
        return java.util.Optional.of(attrs);
    }

    /**
     * The definition with its {@code <metadata>} element {@code tag} replaced by one with
     * {@code attrs} (in order; {@code xmlns:PREFIX} first), or removed when {@code attrs} is
     * null. {@code <metadata>} is created when missing and removed when left empty.
     */
    public static String withMetadata(String xml, String tag, java.util.Map<String, String> attrs) throws VirError {
        Document doc = read(xml);
        Element root = doc.getDocumentElement();
        Element md = child(root, "metadata");
        if (md == null && attrs == null) {
            return write(doc);
        }
        if (md == null) {
            md = doc.createElement("metadata");
            Element name = child(root, "uuid") != null ? child(root, "uuid") : child(root, "name");
            root.insertBefore(md, name == null ? root.getFirstChild() : name.getNextSibling());
        }
        Element old = child(md, tag);
        if (old != null) {
            md.removeChild(old);
        }
        if (attrs != null) {
            Element e = doc.createElement(tag);
            attrs.forEach(e::setAttribute);
            md.appendChild(e);
        } else if (children(md, null).isEmpty()) {
            root.removeChild(md);
        }
        return write(doc);
    }

    private static Document read(String xml) throws VirError {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            throw new VirError(VirErrorCode.XML_ERROR,
                    "(domain_definition):" + e.getLineNumber() + ": " + e.getMessage());
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new VirError(VirErrorCode.XML_ERROR, "(domain_definition): " + e.getMessage());
        }
    }

    private static String uuid(Document doc, Element root, Element nameEl) throws VirError {
        Element u = child(root, "uuid");
        if (u == null) {
            String generated = UUID.randomUUID().toString();
            Element el = doc.createElement("uuid");
            el.setTextContent(generated);
            root.insertBefore(el, nameEl.getNextSibling());
            return generated;
        }
        String t = u.getTextContent().trim();
        if (!UUID_TEXT.matcher(t).matches()) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "malformed uuid element");
        }
        String hex = t.replace("-", "").toLowerCase(Locale.ROOT);
        String canonical = hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
        u.setTextContent(canonical);
        return canonical;
    }

    private static long memory(Element root) throws VirError {
        Element m = child(root, "memory");
        if (m == null) {
            throw new VirError(VirErrorCode.XML_ERROR,
                    "Memory size must be specified via <memory> or in the <numa> configuration");
        }
        String text = m.getTextContent().trim();
        long value;
        try {
            value = Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new VirError(VirErrorCode.XML_ERROR, "could not parse element ./memory[1]");
        }
        String unit = m.hasAttribute("unit") ? m.getAttribute("unit") : "KiB";
        long bytesPerUnit = switch (unit) {
            case "b", "bytes" -> 1;
            case "k", "K", "KiB" -> 1L << 10;
            case "KB" -> 1000;
            case "m", "M", "MiB" -> 1L << 20;
            case "MB" -> 1000_000;
            case "g", "G", "GiB" -> 1L << 30;
            case "GB" -> 1000_000_000;
            case "t", "T", "TiB" -> 1L << 40;
            case "TB" -> 1000_000_000_000L;
            default -> throw new VirError(VirErrorCode.INVALID_ARG, "unknown suffix '" + unit + "'");
        };
        long kib = Math.multiplyHigh(value, bytesPerUnit) != 0 ? -1 : (value * bytesPerUnit + 1023) / 1024;
        if (kib <= 0) {
            throw new VirError(VirErrorCode.XML_ERROR,
                    "Memory size must be specified via <memory> or in the <numa> configuration");
        }
        return kib;
    }

    private static int vcpus(Element root) throws VirError {
        Element v = child(root, "vcpu");
        if (v == null) {
            return 1;
        }
        try {
            int n = Integer.parseInt(v.getTextContent().trim());
            if (n < 1) {
                throw new VirError(VirErrorCode.INTERNAL_ERROR, "Domain requires at least 1 vCPU");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new VirError(VirErrorCode.XML_ERROR, "maximum vcpus count must be an integer");
        }
    }

    private static Disk disk(Element d) {
        String type = d.hasAttribute("type") ? d.getAttribute("type") : "file";
        String device = d.hasAttribute("device") ? d.getAttribute("device") : "disk";
        Element src = child(d, "source");
        String source = null;
        if (src != null) {
            String attr = switch (type) {
                case "file" -> "file";
                case "block" -> "dev";
                case "dir" -> "dir";
                default -> null;
            };
            if (attr != null && src.hasAttribute(attr)) {
                source = src.getAttribute(attr);
            }
        }
        Element target = child(d, "target");
        Element driver = child(d, "driver");
        return new Disk(type, device, source, target == null ? null : target.getAttribute("dev"),
                driver == null || !driver.hasAttribute("type") ? null : driver.getAttribute("type"),
                child(d, "readonly") != null, child(d, "shareable") != null);
    }

    private static Lease lease(Element l) throws VirError {
        Element ls = child(l, "lockspace");
        String lockspace = ls == null ? "" : ls.getTextContent().trim();
        if (lockspace.isEmpty()) {
            // libvirt 9 fails here without a message; we name what is missing (§8 decision 5).
            throw new VirError(VirErrorCode.XML_ERROR, "Missing 'lockspace' element for lease");
        }
        Element k = child(l, "key");
        String key = k == null ? "" : k.getTextContent().trim();
        if (key.isEmpty()) {
            throw new VirError(VirErrorCode.XML_ERROR, "Missing 'key' element for lease");
        }
        Element t = child(l, "target");
        if (t == null) {
            throw new VirError(VirErrorCode.XML_ERROR, "Missing 'target' element for lease");
        }
        if (!t.hasAttribute("path") || t.getAttribute("path").isEmpty()) {
            throw new VirError(VirErrorCode.XML_ERROR, "Missing 'path' attribute to 'target' element for lease");
        }
        long offset = 0;
        if (t.hasAttribute("offset")) {
            String o = t.getAttribute("offset");
            try {
                if (o.isEmpty() || !o.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new NumberFormatException(o);
                }
                offset = Long.parseUnsignedLong(o);
                if (offset < 0) {
                    throw new NumberFormatException(o);
                }
            } catch (NumberFormatException e) {
                throw new VirError(VirErrorCode.XML_ERROR, "Invalid value for attribute 'offset' in element 'target': '"
                        + o + "'. Expected non-negative integer value");
            }
        }
        return new Lease(lockspace, key, t.getAttribute("path"), offset);
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            if (nl.item(i) instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }

    private static String write(Document doc) throws VirError {
        try {
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter w = new StringWriter();
            t.transform(new DOMSource(doc), new StreamResult(w));
            String s = w.toString();
            return s.endsWith("\n") ? s : s + "\n";
        } catch (TransformerException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "cannot format domain XML: " + e.getMessage());
        }
    }
}
