"""Offline checks of the SAM templates in deploy/sam (run by `make test-deploy` with the venv of
host-lambda/scripts/install-tools.sh):

- aws-sam-translator transforms each template as CloudFormation would, and cfn-lint passes on
  the result;
- the wiring, evaluated for each parameter set that changes it: authorizer type, identity
  sources (the place TOKEN_SOURCES reads the token from, plus `$context.routeKey` with route
  rules on an HTTP API), payload format, simple responses, result cache, the protected routes,
  the permission to invoke, the architecture and its zip;
- every environment variable is one the core reads, each parameter feeds the variable its
  description names, and the shared parameters are the same in every template;
- AllowedPattern / AllowedValues refuse what the authorizer would refuse (http:// key sets,
  algorithms outside the core's list), and the template Rules refuse a configuration with
  neither audience nor client ids, or without an issuer;
- the wiring checks fail on a template wired wrong (each check is run on a broken copy).

Nothing is sent anywhere."""
import copy
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

# The translator needs a region for pseudo parameters; nothing is sent anywhere.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

# The translator's metrics go to a publisher that does nothing; it warns when they are not
# "published".
logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)

import yaml  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TEMPLATES = {
    "rest-token": HERE / "rest-token.yaml",
    "rest-request": HERE / "rest-request.yaml",
    "http-api": HERE / "http-api.yaml",
    "websocket": HERE / "websocket.yaml",
}
# The parameters every template shares (the code and the authorizer's settings).
SHARED_PARAMETERS = [
    "Architecture", "CodeBucket", "CodeKeyPrefix", "Issuer", "CognitoUserPoolId", "Audience",
    "AllowedClientIds", "TokenUse", "JwksUri", "Algorithms", "RequiredScopes", "ScopeMatch",
    "ClaimRules", "TokenType", "RouteRules", "UnlistedRoutes", "ContextClaims",
]
REQUIRED = {"CodeBucket": "example-bucket", "Issuer": "https://id.example/", "Audience": "api://example"}


class OfflinePolicies:
    """The translator asks IAM for managed policy ARNs; answer from the well-known list."""

    def load(self):
        return {"AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}


class CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    name = "Fn::GetAtt" if suffix == "GetAtt" else ("Ref" if suffix == "Ref" else ("Condition" if suffix == "Condition" else "Fn::" + suffix))
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


def load(path):
    return yaml.load(Path(path).read_text(), Loader=CfnLoader)


def core_variables():
    """The environment variables the core reads (core/src/env.rs, VARIABLES)."""
    text = (ROOT / "core/src/env.rs").read_text()
    block = re.search(r"pub const VARIABLES: &\[&str\] = &\[(.*?)\];", text, re.S).group(1)
    return set(re.findall(r'"([A-Z_]+)"', block))


def core_algorithms():
    """The algorithm names the core supports (core/src/alg.rs, `name`)."""
    text = (ROOT / "core/src/alg.rs").read_text()
    return set(re.findall(r'Algorithm::\w+ => "(\w+)"', text))


def parameter_values(template, overrides):
    values = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()}
    values.update(REQUIRED)
    values.update(overrides)
    return values


class Unresolved(str):
    """A value only known at deploy time (a resource's id or attribute), kept by name."""


NO_VALUE = object()


class Evaluator:
    """Resolves the intrinsic functions of a (transformed) template for given parameter values,
    as CloudFormation would; resource ids and attributes stay as named placeholders."""

    def __init__(self, template, params):
        self.template = template
        self.params = params
        self.conditions = {}

    def condition(self, name):
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def ref(self, name):
        if name in self.params:
            return self.params[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            return {"AWS::Region": "eu-west-1", "AWS::Partition": "aws", "AWS::AccountId": "123456789012"}.get(name, Unresolved(name))
        assert name in self.template["Resources"], f"Ref to unknown {name}"
        return Unresolved(name)

    def value(self, node):
        if isinstance(node, list):
            return [v for v in (self.value(x) for x in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::GetAtt":
                names = arg if isinstance(arg, list) else arg.split(".", 1)
                assert names[0] in self.template["Resources"], f"GetAtt of unknown {names[0]}"
                return Unresolved(".".join(names))
            if key == "Fn::If":
                cond, yes, no = arg
                return self.value(yes if self.condition(cond) else no)
            if key == "Fn::Equals":
                a, b = (self.value(x) for x in arg)
                return str(a) == str(b)
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::Or":
                return any(self.value(x) for x in arg)
            if key == "Fn::And":
                return all(self.value(x) for x in arg)
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(x) for x in self.value(items))
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                def sub(m):
                    name = m.group(1)
                    if name in extra:
                        return str(self.value(extra[name]))
                    if "." in name:
                        return str(self.value({"Fn::GetAtt": name.split(".", 1)}))
                    return str(self.ref(name))
                return re.sub(r"\$\{([^!}][^}]*)\}", sub, text)
        return {k: v for k, v in ((k, self.value(v)) for k, v in node.items()) if v is not NO_VALUE}


def transformed(template, params):
    return transform(copy.deepcopy(template), params, OfflinePolicies())


def by_type(resources, kind):
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def one(resources, kind):
    found = by_type(resources, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def expected_identity_sources(api, token_sources):
    """README "Token sources": the identity source each token source needs, per API type."""
    prefix = {"rest": "method.request.", "http": "$request.", "websocket": "route.request."}[api]
    out = []
    for source in token_sources.split(","):
        kind, _, rest = source.strip().partition(":")
        if kind == "authorization":
            out.append(prefix + "header.Authorization")
        elif kind == "header":
            out.append(prefix + "header." + rest.split(":")[0])
        elif kind == "cookie":
            out.append(prefix + "header.Cookie")
        elif kind == "query":
            out.append(prefix + "querystring." + rest)
        else:
            raise AssertionError(f"unknown token source {source!r}")
    return out


def check_function(resolved, params):
    """The authorizer function: runtime, handler, the architecture and its zip."""
    name, fn = one({k: v for k, v in resolved["Resources"].items() if k == "AuthorizerFunction"}, "AWS::Lambda::Function")
    props = fn["Properties"]
    assert props["Runtime"] == "provided.al2023" and props["Handler"] == "bootstrap", props
    assert props["Architectures"] == [params["Architecture"]], props["Architectures"]
    assert props["Code"] == {
        "S3Bucket": params["CodeBucket"],
        "S3Key": f"{params['CodeKeyPrefix']}bootstrap-{params['Architecture']}.zip",
    }, props["Code"]
    return props["Environment"]["Variables"]


def check_invoke_permission(resolved, api_logical_id="Api"):
    perms = [p["Properties"] for p in by_type(resolved["Resources"], "AWS::Lambda::Permission").values()]
    assert any(
        p["FunctionName"] == "AuthorizerFunction.Arn" and p["Principal"] == "apigateway.amazonaws.com"
        and p["SourceArn"] == f"arn:aws:execute-api:eu-west-1:123456789012:{api_logical_id}/authorizers/Authorizer"
        for p in perms
    ), f"API Gateway may not invoke the authorizer: {perms}"


def authorizer_uri_ok(uri):
    return uri == "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/AuthorizerFunction.Arn/invocations"


def check_wiring(kind, output, params):
    """Assert the wiring of template `kind` (its transformed output) for `params`."""
    resolved = Evaluator(output, params).value(output)
    env = check_function(resolved, params)
    resources = resolved["Resources"]
    token_sources = env.get("TOKEN_SOURCES") or "authorization"
    if kind in ("rest-token", "rest-request"):
        _, authorizer = one(resources, "AWS::ApiGateway::Authorizer")
        a = authorizer["Properties"]
        assert authorizer_uri_ok(a["AuthorizerUri"]), a
        assert a["Type"] == ("TOKEN" if kind == "rest-token" else "REQUEST"), a
        sources = [s.strip() for s in a["IdentitySource"].split(",")]
        assert sources == expected_identity_sources("rest", token_sources), (sources, token_sources)
        assert a["AuthorizerResultTtlInSeconds"] == params["AuthorizerTtl"], a
        if kind == "rest-token":
            assert "TOKEN_SOURCES" not in env or env["TOKEN_SOURCES"] in ("", "authorization"), env
            assert a["IdentityValidationExpression"].startswith("^[Bb][Ee][Aa][Rr][Ee][Rr] "), a
        methods = by_type(resources, "AWS::ApiGateway::Method")
        assert methods, "no method"
        for m in methods.values():
            p = m["Properties"]
            assert p["AuthorizationType"] == "CUSTOM" and p["AuthorizerId"] == "Authorizer", f"route not protected: {p}"
        _, deployment = one(resources, "AWS::ApiGateway::Deployment")
        assert set(methods) <= set([deployment.get("DependsOn")] if isinstance(deployment.get("DependsOn"), str) else deployment.get("DependsOn", [])), "deployment may precede its methods"
    elif kind == "http-api":
        _, api = one(resources, "AWS::ApiGatewayV2::Api")
        assert api["Properties"]["ProtocolType"] == "HTTP", api
        _, authorizer = one(resources, "AWS::ApiGatewayV2::Authorizer")
        a = authorizer["Properties"]
        assert a["AuthorizerType"] == "REQUEST" and authorizer_uri_ok(a["AuthorizerUri"]), a
        assert a["AuthorizerPayloadFormatVersion"] == "2.0", a
        assert a["EnableSimpleResponses"] is True and env.get("HTTP_API_RESPONSE") == "simple", (a, env)
        expected = expected_identity_sources("http", token_sources)
        if env.get("ROUTE_RULES"):
            expected.append("$context.routeKey")
        assert a["IdentitySource"] == expected, (a["IdentitySource"], expected)
        assert a["AuthorizerResultTtlInSeconds"] == params["AuthorizerTtl"], a
        routes = by_type(resources, "AWS::ApiGatewayV2::Route")
        assert routes, "no route"
        for r in routes.values():
            p = r["Properties"]
            assert p["AuthorizationType"] == "CUSTOM" and p["AuthorizerId"] == "Authorizer", f"route not protected: {p}"
    elif kind == "websocket":
        _, api = one(resources, "AWS::ApiGatewayV2::Api")
        assert api["Properties"]["ProtocolType"] == "WEBSOCKET", api
        _, authorizer = one(resources, "AWS::ApiGatewayV2::Authorizer")
        a = authorizer["Properties"]
        assert a["AuthorizerType"] == "REQUEST" and authorizer_uri_ok(a["AuthorizerUri"]), a
        assert a["IdentitySource"] == expected_identity_sources("websocket", token_sources), (a["IdentitySource"], token_sources)
        # WebSocket authorizers take neither a payload version, simple responses nor a cache.
        for absent in ("AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds"):
            assert absent not in a, (absent, a)
        connect = [r["Properties"] for r in by_type(resources, "AWS::ApiGatewayV2::Route").values() if r["Properties"]["RouteKey"] == "$connect"]
        assert len(connect) == 1, connect
        assert connect[0]["AuthorizationType"] == "CUSTOM" and connect[0]["AuthorizerId"] == "Authorizer", connect
        for i in by_type(resources, "AWS::ApiGatewayV2::Integration").values():
            assert i["Properties"]["IntegrationMethod"] == "POST", f"a WebSocket Lambda integration is invoked with POST: {i}"
    else:
        raise AssertionError(kind)
    check_invoke_permission(resolved)
    return env, resolved


# Parameter sets that change the wiring, per template.
LOCATIONS = [
    {},
    {"TokenLocation": "header", "TokenName": "X-Api-Token", "TokenScheme": ""},
    {"TokenLocation": "header", "TokenName": "X-Api-Token", "TokenScheme": "Token"},
    {"TokenLocation": "cookie", "TokenName": "__Host-access"},
    {"TokenLocation": "query", "TokenName": "access_token"},
]
CASES = {
    "rest-token": [{}, {"Architecture": "arm64", "AuthorizerTtl": "0"}],
    "rest-request": LOCATIONS + [{"Architecture": "arm64", "AuthorizerTtl": "0"}],
    "http-api": LOCATIONS + [
        {"RouteRules": "GET /pets/*=pets:read"},
        {"RouteRules": "GET /pets/*=pets:read", "TokenLocation": "cookie", "TokenName": "session", "Architecture": "arm64"},
    ],
    "websocket": LOCATIONS + [{"TokenLocation": "header", "TokenName": "Authorization", "TokenScheme": "Bearer"}, {"Architecture": "arm64"}],
}


def matches(parameter, value):
    """Whether CloudFormation accepts `value` for `parameter` (AllowedValues, AllowedPattern:
    the whole value must match, MinValue/MaxValue)."""
    if "AllowedValues" in parameter and value not in [str(v) for v in parameter["AllowedValues"]]:
        return False
    if "AllowedPattern" in parameter and re.fullmatch(parameter["AllowedPattern"], value) is None:
        return False
    if parameter["Type"] == "Number":
        if not re.fullmatch(r"-?[0-9]+", value):
            return False
        if "MinValue" in parameter and int(value) < parameter["MinValue"]:
            return False
        if "MaxValue" in parameter and int(value) > parameter["MaxValue"]:
            return False
    return True


def rules_hold(template, params):
    """The template's Rules for these values: the descriptions of the failed assertions."""
    ev = Evaluator(template, params)
    failed = []
    for rule in template.get("Rules", {}).values():
        if "RuleCondition" in rule and not ev.value(rule["RuleCondition"]):
            continue
        for assertion in rule["Assertions"]:
            if not ev.value(assertion["Assert"]):
                failed.append(assertion["AssertDescription"])
    return failed


class Templates(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sources = {k: load(p) for k, p in TEMPLATES.items()}
        cls.outputs = {k: transformed(t, parameter_values(t, {})) for k, t in cls.sources.items()}

    def test_cfn_lint_clean_after_transform(self):
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for kind, output in self.outputs.items():
                f = Path(tmp) / f"{kind}.json"
                f.write_text(json.dumps(output))
                files.append(str(f))
            lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *files], capture_output=True, text=True)
            self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)
        # cfn-lint reads the sources too (Transform included).
        lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), *map(str, TEMPLATES.values())], capture_output=True, text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)

    def test_wiring_for_each_parameter_set(self):
        for kind, cases in CASES.items():
            for overrides in cases:
                with self.subTest(template=kind, params=overrides):
                    params = parameter_values(self.sources[kind], overrides)
                    env, _ = check_wiring(kind, self.outputs[kind], params)
                    if "TokenLocation" in params:
                        location, name, scheme = params["TokenLocation"], params["TokenName"], params["TokenScheme"]
                        want = f"header:{name}:{scheme}" if location == "header" and scheme else f"{location}:{name}"
                        self.assertEqual(env["TOKEN_SOURCES"], want)

    def test_environment_names_are_the_cores_and_fed_by_their_parameters(self):
        variables = core_variables()
        for kind, template in self.sources.items():
            env = template["Resources"]["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
            unknown = set(env) - variables
            self.assertFalse(unknown, f"{kind}: variables the core does not read: {unknown}")
            for name, parameter in template["Parameters"].items():
                var = parameter["Description"].split(".")[0]
                if re.fullmatch(r"[A-Z_]+", var):
                    self.assertEqual(env.get(var), {"Ref": name}, f"{kind}: {name} should feed {var}")

    def test_shared_parameters_and_rules_are_the_same_everywhere(self):
        first = self.sources["rest-token"]
        for kind, template in self.sources.items():
            for name in SHARED_PARAMETERS:
                self.assertEqual(template["Parameters"][name], first["Parameters"][name], f"{kind}: {name}")
            self.assertEqual(template["Rules"], first["Rules"], kind)
            self.assertIn("Rules", self.outputs[kind], f"{kind}: the transform dropped the Rules")

    def test_parameter_constraints_refuse_what_the_authorizer_refuses(self):
        p = self.sources["rest-token"]["Parameters"]
        samples = {
            "JwksUri": (["", "https://id.example/.well-known/jwks.json", "https://login.example:8443/keys?v=2"],
                        ["http://id.example/jwks.json", "https:///jwks", "ftp://id.example/jwks", "https://", "id.example/jwks", "https://id.example/a b"]),
            "Algorithms": ([",".join(sorted(core_algorithms())), "RS256", "ES512", "EdDSA", "RS256, PS256", ""],
                           ["HS256", "none", "RS256,HS256", "rs256", "ES256K", "RS256,"]),
            "Architecture": (["x86_64", "arm64"], ["amd64", "aarch64", ""]),
            "CognitoUserPoolId": (["", "eu-west-1_AbCd123", "us-gov-west-1_x1"], ["eu-west-1", "EU-west-1_a", "eu_x", "eu-west-1_a-b"]),
            "TokenUse": (["", "access", "id"], ["refresh"]),
            "ScopeMatch": (["all", "any"], ["one", ""]),
            "UnlistedRoutes": (["allow", "deny"], ["open"]),
            "Audience": (["", "api://pets", "a,b"], [" api", "api "]),
            "CodeBucket": (["my-artifacts.eu"], ["", "My_Bucket", "s3://b"]),
            "CodeKeyPrefix": (["", "jwtgate/", "jwtgate/0.1.0/"], ["jwtgate", "/abs/", "a b/"]),
        }
        for name, (good, bad) in samples.items():
            for value in good:
                self.assertTrue(matches(p[name], value), f"{name} should accept {value!r}")
            for value in bad:
                self.assertFalse(matches(p[name], value), f"{name} should refuse {value!r}")
        # The pattern names exactly the core's algorithms.
        self.assertEqual(set(re.findall(r"[A-Za-z]+[0-9]*", p["Algorithms"]["AllowedPattern"].split("(", 2)[1].split(")")[0])), core_algorithms())
        ttl = self.sources["rest-request"]["Parameters"]["AuthorizerTtl"]
        for value, ok in [("0", True), ("3600", True), ("3601", False), ("-1", False)]:
            self.assertEqual(matches(ttl, value), ok, value)
        for kind in ("rest-request", "http-api", "websocket"):
            tp = self.sources[kind]["Parameters"]
            self.assertTrue(matches(tp["TokenName"], "__Host-access"))
            for bad in ("", "a b", "a.b", "x" * 129, "a,b"):
                self.assertFalse(matches(tp["TokenName"], bad), (kind, bad))
            self.assertFalse(matches(tp["TokenLocation"], "body"), kind)
        # Every default is accepted by its own constraint.
        for kind, template in self.sources.items():
            for name, parameter in template["Parameters"].items():
                if "Default" in parameter:
                    self.assertTrue(matches(parameter, str(parameter["Default"])), f"{kind}: default of {name}")

    def test_rules_refuse_a_configuration_the_authorizer_refuses(self):
        for kind, template in self.sources.items():
            ok = parameter_values(template, {})
            self.assertEqual(rules_hold(template, ok), [], kind)
            self.assertEqual(rules_hold(template, {**ok, "Audience": "", "AllowedClientIds": "client-1"}), [], kind)
            self.assertEqual(rules_hold(template, {**ok, "Issuer": "", "CognitoUserPoolId": "eu-west-1_AbCd123"}), [], kind)
            failed = rules_hold(template, {**ok, "Audience": "", "AllowedClientIds": ""})
            self.assertEqual(len(failed), 1, kind)
            self.assertIn("AUDIENCE", failed[0])
            failed = rules_hold(template, {**ok, "Issuer": "", "CognitoUserPoolId": ""})
            self.assertEqual(len(failed), 1, kind)
            self.assertIn("ISSUER", failed[0])

    def test_wiring_checks_fail_on_templates_wired_wrong(self):
        def broken(kind, change):
            t = copy.deepcopy(self.sources[kind])
            change(t["Resources"])
            return transformed(t, parameter_values(t, {}))

        def props(name):
            return lambda r: r[name]["Properties"]

        mutations = {
            "rest-token": [
                lambda r: props("Authorizer")(r).update(Type="REQUEST"),
                lambda r: props("Authorizer")(r).update(IdentitySource="method.request.header.X-Token"),
                lambda r: props("Authorizer")(r).update(AuthorizerResultTtlInSeconds=300),
                lambda r: props("HelloGet")(r).update(AuthorizationType="NONE"),
                lambda r: props("AuthorizerFunction")(r).update(Architectures=["x86_64"]),
                lambda r: props("AuthorizerFunction")(r)["CodeUri"].update(Key="jwtgate/bootstrap.zip"),
                lambda r: r.pop("AuthorizerPermission"),
            ],
            "rest-request": [
                lambda r: props("Authorizer")(r).update(IdentitySource="method.request.header.Authorization"),
                lambda r: props("AuthorizerFunction")(r)["Environment"]["Variables"].update(TOKEN_SOURCES="authorization"),
            ],
            "http-api": [
                lambda r: props("Authorizer")(r).update(EnableSimpleResponses=False),
                lambda r: props("Authorizer")(r).update(AuthorizerPayloadFormatVersion="1.0"),
                lambda r: props("Authorizer")(r)["IdentitySource"]["Fn::If"][1].pop(),
                lambda r: props("AuthorizerFunction")(r)["Environment"]["Variables"].pop("HTTP_API_RESPONSE"),
                lambda r: props("HelloRoute")(r).pop("AuthorizerId"),
            ],
            "websocket": [
                lambda r: props("ConnectRoute")(r).update(AuthorizationType="NONE"),
                lambda r: props("Authorizer")(r).update(IdentitySource=["route.request.header.Authorization"]),
                lambda r: props("Authorizer")(r).update(AuthorizerResultTtlInSeconds=300),
                lambda r: props("Api")(r).update(ProtocolType="HTTP"),
                lambda r: props("BackendIntegration")(r).pop("IntegrationMethod"),
            ],
        }
        for kind, changes in mutations.items():
            for i, change in enumerate(changes):
                with self.subTest(template=kind, mutation=i):
                    output = broken(kind, change)
                    caught = False
                    for overrides in CASES[kind]:
                        try:
                            check_wiring(kind, output, parameter_values(self.sources[kind], overrides))
                        except (AssertionError, KeyError):
                            caught = True
                            break
                    self.assertTrue(caught, f"{kind}: mutation {i} went unnoticed")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"templates: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
